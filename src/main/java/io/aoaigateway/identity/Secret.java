package io.aoaigateway.identity;

import org.springframework.util.Assert;

/**
 * A secret from configuration (a client secret, a certificate's password). Binds from a
 * plain string and never prints itself.
 *
 * @param value the secret
 */
public record Secret(String value) {

	public Secret {
		Assert.hasText(value, "value must not be empty");
	}

	@Override
	public String toString() {
		return "Secret[****]";
	}

}
