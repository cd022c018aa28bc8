package io.aoaigateway.state;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.ClientOptions.DisconnectedBehavior;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.resource.Delay;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

/**
 * What every user of the shared state store needs: its circuit, its readiness and, with
 * Redis, a connection opened and warmed at start-up.
 */
@Configuration(proxyBeanMethods = false)
class StateConfiguration {

	@Bean
	StateStoreMonitor stateStoreMonitor(MeterRegistry registry, StateProperties state) {
		// The circuit measures elapsed time (slow calls, the open state's wait), not the
		// calendar time quota windows are counted in, as the backends' circuits do: a
		// clock that a test holds still must not hold the circuit open.
		return new StateStoreMonitor(registry, state.failurePolicy(), state.circuit(), Clock.systemUTC());
	}

	@Bean
	StateStoreHealthIndicator stateStoreHealthIndicator(ObjectProvider<RedisConnector> connector,
			StateStoreMonitor monitor) {
		return new StateStoreHealthIndicator(connector.getIfAvailable(), monitor);
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty(name = "aoai.state.store", havingValue = "redis")
	static class RedisStateConfiguration {

		// Reconnect soon after Redis is back: Lettuce's default backs off to 30 s.
		private static final Delay RECONNECT_DELAY = Delay.exponential(Duration.ofMillis(100), Duration.ofSeconds(2), 2,
				TimeUnit.MILLISECONDS);

		@Bean
		RedisConnector redisConnector(ReactiveRedisConnectionFactory factory, ObjectProvider<StateStoreWarmUp> warmUps,
				StateStoreMonitor monitor, StateProperties state) {
			return new RedisConnector(factory, () -> warmUps.orderedStream().toList(), monitor, state);
		}

		// Replaces Boot's template of the same name: the stores' calls never open the
		// connection themselves.
		@Bean
		ReactiveStringRedisTemplate reactiveStringRedisTemplate(ReactiveRedisConnectionFactory factory,
				RedisConnector connector) {
			return new ReactiveStringRedisTemplate(new ConnectedOnlyConnectionFactory(factory, connector::connected));
		}

		@Bean
		LettuceClientOptionsBuilderCustomizer stateStoreClientOptions(StateProperties state) {
			// Commands sent while disconnected fail at once instead of queuing unbounded
			// until they time out; Lettuce reconnects in the background. Its own command
			// timeout (twice the per-call budget) drops the commands a caller gave up on.
			return (options) -> options.autoReconnect(true)
				.disconnectedBehavior(DisconnectedBehavior.REJECT_COMMANDS)
				.timeoutOptions(TimeoutOptions.enabled(state.timeout().multipliedBy(2)));
		}

		@Bean
		ClientResourcesBuilderCustomizer stateStoreReconnectDelay() {
			return (resources) -> resources.reconnectDelay(RECONNECT_DELAY);
		}

	}

}
