package io.aoaigateway.keys;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;

import io.aoaigateway.support.PeriodicRounds;
import io.aoaigateway.auth.CallerCredentials;
import io.aoaigateway.state.StateProperties;
import io.aoaigateway.state.StateStoreWarmUp;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.WebFilter;

/**
 * Caller keys, when {@code aoai.caller-keys.enabled}: the store chosen by
 * {@code aoai.state.store}, the registry and its refreshes, the authentication added to
 * the security chain, and the admin endpoint when it is enabled.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty("aoai.caller-keys.enabled")
class CallerKeysConfiguration {

	@Bean
	CallerKeyStore callerKeyStore(CallerKeysProperties properties, StateProperties state,
			ObjectProvider<ReactiveStringRedisTemplate> redis) {
		if (state.store() == StateProperties.Store.REDIS) {
			if (!properties.keys().isEmpty() || properties.file() != null) {
				throw new IllegalStateException("aoai.caller-keys.keys and aoai.caller-keys.file are for a gateway "
						+ "without Redis; with aoai.state.store=redis, caller keys live in Redis and are managed "
						+ "through /gateway/keys (aoai.caller-keys.admin.enabled)");
			}
			return new RedisCallerKeyStore(redis.getObject(), state.keyPrefix(), state.timeout());
		}
		ConfiguredCallerKeyStore store = new ConfiguredCallerKeyStore(properties.keys(), properties.file());
		// A keys file that is missing or invalid at start-up is a configuration error.
		store.read(null).block(Duration.ofSeconds(30));
		return store;
	}

	@Bean
	CallerKeys callerKeys(CallerKeyStore store, CallerKeysProperties properties, Clock clock) {
		CallerKeys keys = new CallerKeys(store, clock, properties.maxStaleness(), new SecureRandom());
		if (!store.writable()) {
			// From configuration: read before the first call can come.
			keys.refresh().block(Duration.ofSeconds(30));
		}
		return keys;
	}

	// With Redis, the first read happens once Redis is connected (readiness waits for
	// it); until then, calls with caller keys are refused with 503.
	@Bean
	@ConditionalOnProperty(name = "aoai.state.store", havingValue = "redis")
	StateStoreWarmUp callerKeysWarmUp(CallerKeyStore store, CallerKeys keys) {
		return () -> Mono.defer(() -> (store instanceof StateStoreWarmUp redis) ? redis.warmUp() : Mono.empty())
			.then(Mono.defer(keys::refresh))
			.then(Mono.defer(() -> (keys.staleness() != null) ? Mono.empty()
					: Mono.error(new IllegalStateException("The caller keys could not be read from Redis"))));
	}

	@Bean
	SmartLifecycle callerKeysRefresh(CallerKeys keys, CallerKeysProperties properties) {
		// The first read is the warm-up's (with Redis) or done when the registry is
		// created.
		return new PeriodicRounds("caller key refreshes", properties.refreshInterval(), properties.refreshInterval(),
				properties.refreshInterval(), keys::refresh);
	}

	@Bean
	CallerKeyMetrics callerKeyMetrics(MeterRegistry registry, CallerKeys keys) {
		return new CallerKeyMetrics(registry, keys);
	}

	@Bean
	FailedKeyAttempts failedKeyAttempts(CallerKeysProperties properties, Clock clock) {
		CallerKeysProperties.Failures failures = properties.failures();
		return new FailedKeyAttempts(failures.perMinute(), failures.burst(), failures.maxSources(), clock);
	}

	@Bean
	CallerCredentials callerKeyCredentials(CallerKeys keys, FailedKeyAttempts failures, CallerKeyMetrics metrics,
			CallerKeysProperties properties) {
		WebFilter filter = new CallerKeyAuthenticationFilter(
				new CallerKeyAuthenticationProvider(keys, failures, metrics), metrics,
				new ClientSource(properties.failures().trustedProxies()));
		return new CallerCredentials() {

			@Override
			public WebFilter authenticationFilter() {
				return filter;
			}

			@Override
			public boolean claimsBearerValue(String bearerValue) {
				return CallerKeyFormat.looksLikeKey(bearerValue);
			}

		};
	}

	@Bean
	@ConditionalOnBooleanProperty("aoai.caller-keys.admin.enabled")
	RouterFunction<ServerResponse> callerKeyAdminRoutes(CallerKeys keys, CallerKeysProperties properties, Clock clock) {
		return new CallerKeyAdminHandler(keys, properties.admin().role(), properties.admin().defaultGracePeriod(),
				clock)
			.routes();
	}

}
