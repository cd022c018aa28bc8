package io.aoaigateway.affinity;

import java.time.Clock;
import java.util.List;

import io.aoaigateway.observability.GatewayMeters;
import io.aoaigateway.routing.Backend;
import io.aoaigateway.routing.BackendPool;
import io.aoaigateway.state.StateProperties;
import io.aoaigateway.state.StateStoreMonitor;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Affinity of stateful objects: the store chosen by {@code aoai.state.store} and the
 * filter.
 */
@Configuration(proxyBeanMethods = false)
class AffinityConfiguration {

	@Bean
	AffinityStore affinityStore(StateProperties state, ObjectProvider<ReactiveStringRedisTemplate> redis) {
		return switch (state.store()) {
			case MEMORY -> new InMemoryAffinityStore();
			case REDIS -> new RedisAffinityStore(redis.getObject(), state.keyPrefix() + "owner:", state.timeout());
		};
	}

	@Bean
	GlobalFilter affinityFilter(AffinityProperties properties, BackendPool pool, AffinityStore store,
			StateStoreMonitor monitor, Clock clock, GatewayMeters meters) {
		List<Backend> backends = statefulBackends(properties, pool);
		AffinityRules rules = new AffinityRules(new ObjectAccess(properties.sharing()), new HomeOrder(backends));
		OwnerDiscovery discovery = new OwnerDiscovery(backends, WebClient.create(), properties.discovery(),
				properties.discoveryTimeout());
		return new AffinityFilter(rules, discovery, store, properties.ttl(), monitor, clock, meters);
	}

	static List<Backend> statefulBackends(AffinityProperties properties, BackendPool pool) {
		List<String> names = properties.backends();
		if (names.isEmpty()) {
			return pool.backends();
		}
		return names.stream()
			.map((name) -> pool.backends()
				.stream()
				.filter((backend) -> backend.name().equals(name))
				.findFirst()
				.orElseThrow(() -> new IllegalStateException(
						"aoai.affinity.backends names '" + name + "', which is not in aoai.routing.backends[*].name")))
			.toList();
	}

}
