package io.aoaigateway.routing;

import org.springframework.util.Assert;

/**
 * An Azure OpenAI key. Binds from a plain string and never prints itself.
 *
 * @param value the key as Azure issued it
 */
public record ApiKey(String value) {

	public ApiKey {
		Assert.hasText(value, "value must not be empty");
	}

	@Override
	public String toString() {
		return "ApiKey[****]";
	}

}
