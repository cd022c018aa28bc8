package io.aoaigateway.state;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What every user of the shared state store needs: its health, watched in one place.
 */
@Configuration(proxyBeanMethods = false)
class StateConfiguration {

	@Bean
	StateStoreMonitor stateStoreMonitor(MeterRegistry registry, StateProperties state) {
		return new StateStoreMonitor(registry, state.failurePolicy());
	}

}
