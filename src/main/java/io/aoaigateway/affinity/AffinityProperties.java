package io.aoaigateway.affinity;

import java.time.Duration;
import java.util.List;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Stateful APIs across the pool.
 *
 * @param backends backends that serve stateful APIs (they need the deployments the
 * assistants use); empty means every backend
 * @param sharing who may reach an object besides the caller who created it
 * @param discovery whether an id the gateway has not seen (created before it, or a lost
 * entry) is looked for on the backends; the first caller to reach it then owns it
 * @param discoveryTimeout the longest a lookup of an unknown id may take
 * @param ttl how long an object's backend is remembered after it was created
 */
@Validated
@ConfigurationProperties("aoai.affinity")
public record AffinityProperties(@DefaultValue List<String> backends, @DefaultValue("caller") @NotNull Sharing sharing,
		@DefaultValue("true") boolean discovery, @DefaultValue("2s") Duration discoveryTimeout,
		@DefaultValue("90d") Duration ttl) {

	@AssertTrue(message = "aoai.affinity.discovery-timeout and ttl must be positive")
	public boolean isDurationsPositive() {
		return !this.discoveryTimeout.isNegative() && !this.discoveryTimeout.isZero() && !this.ttl.isNegative()
				&& !this.ttl.isZero();
	}

	/** Who may reach an object. */
	public enum Sharing {

		/** Only the caller who created it. */
		CALLER,

		/** Every caller of the application (client id) that created it. */
		APP,

		/** Everyone: no isolation, as with Azure's own keys. */
		NONE

	}

}
