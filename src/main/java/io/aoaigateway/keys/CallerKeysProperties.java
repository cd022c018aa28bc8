package io.aoaigateway.keys;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Caller keys: gateway-issued keys for applications without an Entra ID token, sent in
 * the {@code api-key} header (or as {@code Authorization: Bearer}). With
 * {@code aoai.state.store=redis} the records live in Redis and are managed through
 * {@code /gateway/keys}; otherwise they come from {@code keys} and {@code file}.
 *
 * @param enabled whether calls may authenticate with a caller key
 * @param refreshInterval how often each replica reads the key records again: the bound on
 * how long a revoked (or removed) key keeps working on another replica
 * @param maxStaleness how long a replica keeps using the records it last read when their
 * store cannot be read; past it, calls with caller keys are refused with 503 (Entra
 * callers are unaffected)
 * @param keys key records (hash and salt, never the key), as {@code caller-key create}
 * prints them; only without Redis
 * @param file a YAML or JSON file with a {@code keys} list of records, e.g. a mounted
 * Secret, read again on every refresh; only without Redis
 * @param failures how many bad keys one client may send
 * @param admin the {@code /gateway/keys} endpoint
 */
@Validated
@ConfigurationProperties("aoai.caller-keys")
public record CallerKeysProperties(@DefaultValue("false") boolean enabled,
		@DefaultValue("10s") Duration refreshInterval, @DefaultValue("5m") Duration maxStaleness,
		@DefaultValue List<@Valid CallerKey> keys, @Nullable Path file, @Valid @DefaultValue Failures failures,
		@Valid @DefaultValue Admin admin) {

	@AssertTrue(message = "aoai.caller-keys.refresh-interval must be positive and shorter than max-staleness")
	public boolean isRefreshShorterThanStaleness() {
		return !this.refreshInterval.isNegative() && !this.refreshInterval.isZero()
				&& this.refreshInterval.compareTo(this.maxStaleness) < 0;
	}

	/**
	 * Bad keys from one client (the connection's peer, or behind trusted proxies the
	 * nearest address in X-Forwarded-For that is not one; an IPv6 client by its /64),
	 * counted per replica in a token bucket. Past the burst, every key from that client
	 * is refused with 429 until the bucket has refilled by one.
	 *
	 * @param perMinute bad keys per minute a client may send once its burst is spent
	 * @param burst bad keys a client may send at once
	 * @param maxSources clients remembered at most; the least recently seen are forgotten
	 * first
	 * @param trustedProxies CIDR blocks of the proxies (ingress, load balancer) whose
	 * X-Forwarded-For entries are believed; by default loopback and private networks, as
	 * Tomcat's internal proxies. A client outside them is counted by its own address,
	 * whatever it writes in the header
	 */
	public record Failures(@DefaultValue("10") @Min(1) int perMinute, @DefaultValue("20") @Min(1) int burst,
			@DefaultValue("10000") @Min(1) int maxSources, @DefaultValue( {
					"127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "::1/128",
					"fc00::/7", "fe80::/10" }) List<String> trustedProxies){

		@AssertTrue(message = "aoai.caller-keys.failures.trusted-proxies must be CIDR blocks, e.g. 10.0.0.0/8")
		public boolean isTrustedProxiesValid() {
			try {
				new ClientSource(this.trustedProxies);
				return true;
			}
			catch (IllegalArgumentException ex) {
				return false;
			}
		}

	}

	/**
	 * The key administration endpoint, {@code /gateway/keys} on the main port.
	 *
	 * @param enabled whether the endpoint exists (404 otherwise)
	 * @param role the Entra ID app role a caller needs to use it; caller keys never can
	 * @param defaultGracePeriod how long a rotated key keeps working when the rotation
	 * does not say
	 */
	public record Admin(@DefaultValue("false") boolean enabled, @DefaultValue("Gateway.KeyAdmin") @NotBlank String role,
			@DefaultValue("24h") @NotNull Duration defaultGracePeriod) {

		@AssertTrue(message = "aoai.caller-keys.admin.default-grace-period must not be negative")
		public boolean isGracePeriodValid() {
			return !this.defaultGracePeriod.isNegative();
		}

	}

}
