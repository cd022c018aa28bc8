package io.aoaigateway.routing;

import io.aoaigateway.identity.BackendCredential;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.util.Assert;

/**
 * An Azure OpenAI key. Binds from a plain string and never prints itself.
 *
 * @param value the key as Azure issued it
 */
public record ApiKey(String value) implements BackendCredential {

	public ApiKey {
		Assert.hasText(value, "value must not be empty");
	}

	// Azure OpenAI uses "api-key" instead of "Authorization: Bearer".
	@Override
	public void writeTo(HttpHeaders headers) {
		headers.set("api-key", this.value);
	}

	@Override
	public boolean usable() {
		return true;
	}

	// A key cannot be renewed: the backend is failed over.
	@Override
	public Mono<Boolean> renewAfterRejection(HttpHeaders sent) {
		return Mono.just(false);
	}

	@Override
	public String toString() {
		return "ApiKey[****]";
	}

}
