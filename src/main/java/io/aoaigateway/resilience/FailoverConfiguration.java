package io.aoaigateway.resilience;

import java.time.Clock;

import io.aoaigateway.observability.GatewayMeters;
import io.aoaigateway.state.StateProperties;
import io.aoaigateway.state.StateStoreMonitor;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
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
			StateStoreMonitor monitor, Clock clock, GatewayMeters gatewayMeters) {
		return new BackendFailoverFilter(properties, cooldowns,
				new BackendCircuitBreakers(properties.circuitBreaker(), meters),
				new BackendCapacity(properties.ptuUtilizationThreshold()), monitor, clock, gatewayMeters);
	}

	@Bean
	GlobalFilter streamIdleTimeoutFilter(FailoverProperties properties) {
		return new StreamIdleTimeoutFilter(properties.streamIdleTimeout());
	}

}
