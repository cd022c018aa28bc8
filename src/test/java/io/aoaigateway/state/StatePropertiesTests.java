package io.aoaigateway.state;

import java.time.Duration;
import java.util.Map;

import io.aoaigateway.state.StateProperties.Circuit;
import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shared-state settings bind with the documented defaults, and the circuit's settings
 * can be changed one by one.
 */
class StatePropertiesTests {

	@Test
	void bindWhenNothingIsSetThenDefaults() {
		StateProperties state = bind(Map.of());

		assertThat(state.timeout()).isEqualTo(Duration.ofSeconds(1));
		assertThat(state.startupTimeout()).isEqualTo(Duration.ofSeconds(30));
		assertThat(state.circuit()).isEqualTo(Circuit.DEFAULTS);
		assertThat(state.isTimeoutPositive()).isTrue();
		assertThat(state.circuit().isDurationsPositive()).isTrue();
	}

	@Test
	void bindWhenCircuitSettingsAreGivenThenTheyReplaceTheDefaults() {
		StateProperties state = bind(Map.of("aoai.state.circuit.minimum-calls", "4", "aoai.state.circuit.open-for",
				"10s", "aoai.state.circuit.slow-call-threshold", "250ms"));

		assertThat(state.circuit().minimumCalls()).isEqualTo(4);
		assertThat(state.circuit().openFor()).isEqualTo(Duration.ofSeconds(10));
		assertThat(state.circuit().slowCallThreshold()).isEqualTo(Duration.ofMillis(250));
		assertThat(state.circuit().slidingWindowSize()).isEqualTo(Circuit.DEFAULTS.slidingWindowSize());
	}

	@Test
	void bindWhenADurationIsZeroThenInvalid() {
		StateProperties state = bind(Map.of("aoai.state.startup-timeout", "0s", "aoai.state.circuit.open-for", "0s"));

		assertThat(state.isTimeoutPositive()).isFalse();
		assertThat(state.circuit().isDurationsPositive()).isFalse();
	}

	private static StateProperties bind(Map<String, String> properties) {
		return new Binder(new MapConfigurationPropertySource(properties)).bindOrCreate("aoai.state",
				StateProperties.class);
	}

}
