package io.aoaigateway.resilience;

import java.time.Clock;
import java.time.Duration;

import io.aoaigateway.observability.GatewayMeters;
import io.aoaigateway.priority.PriorityClass;
import io.aoaigateway.priority.PriorityClasses;
import io.aoaigateway.priority.PriorityProperties;
import io.aoaigateway.routing.BackendSelection;
import io.aoaigateway.state.StateProperties;
import io.aoaigateway.state.StateStoreMonitor;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Schedulers;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.gateway.config.HttpClientProperties;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

/**
 * Failover: cooldowns in the store chosen by {@code aoai.state.store}, circuit breakers,
 * and the filters.
 */
@Configuration(proxyBeanMethods = false)
class FailoverConfiguration {

	@Bean
	CooldownStore cooldownStore(StateProperties state, ObjectProvider<ReactiveStringRedisTemplate> redis) {
		return switch (state.store()) {
			case MEMORY -> new InMemoryCooldownStore();
			case REDIS -> new RedisCooldownStore(redis.getObject(), state.keyPrefix() + "cooldown:", state.timeout());
		};
	}

	@Bean
	GlobalFilter backendFailoverFilter(FailoverProperties properties, CooldownStore cooldowns, MeterRegistry meters,
			StateStoreMonitor monitor, Clock clock, GatewayMeters gatewayMeters,
			ObjectProvider<HttpClientProperties> httpClient, BackendSelection selection, PriorityProperties priority,
			PriorityClasses priorities) {
		HttpClientProperties client = httpClient.getIfAvailable();
		checkResponseTimeout(properties, (client != null) ? client.getResponseTimeout() : null);
		FailoverPolicy policy = new FailoverPolicy(properties,
				new BackendCircuitBreakers(properties.circuitBreaker(), meters),
				new BackendCapacity(properties.ptuUtilizationThreshold(), priority.capacityWindow()), selection);
		AdmissionQueue queue = new AdmissionQueue(clock, priority.releaseJitter(), Schedulers.parallel());
		for (PriorityClass each : priorities.all()) {
			gatewayMeters.admissionQueued(each.name(), queue, (waiting) -> waiting.waiting(each));
		}
		return new BackendFailoverFilter(properties, policy, cooldowns, monitor, clock, gatewayMeters, priorities,
				queue, priority.header());
	}

	@Bean
	GlobalFilter backendIdleTimeoutFilter(FailoverProperties properties, GatewayMeters meters) {
		return new BackendIdleTimeoutFilter(
				new IdleTimeouts(properties.streamIdleTimeout(), properties.bodyIdleTimeout()), meters);
	}

	/**
	 * Spring Cloud Gateway's own time-to-headers limit applies to every attempt too; one
	 * shorter than the failover's would cut attempts that the failover allows.
	 * @param properties the failover settings
	 * @param responseTimeout
	 * {@code spring.cloud.gateway.server.webflux.httpclient.response-timeout}, null when
	 * unset
	 */
	static void checkResponseTimeout(FailoverProperties properties, @Nullable Duration responseTimeout) {
		Duration longest = (properties.attemptTimeout().compareTo(properties.generationTimeout()) >= 0)
				? properties.attemptTimeout() : properties.generationTimeout();
		if (responseTimeout != null && responseTimeout.compareTo(longest) < 0) {
			throw new IllegalStateException("spring.cloud.gateway.server.webflux.httpclient.response-timeout ("
					+ responseTimeout + ") is shorter than aoai.failover's longest attempt timeout (" + longest
					+ "): leave it unset, the failover bounds every attempt");
		}
	}

}
