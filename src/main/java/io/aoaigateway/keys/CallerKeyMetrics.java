package io.aoaigateway.keys;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

import io.aoaigateway.observability.GatewayMeters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The caller-key meters: calls with a caller key by outcome, every outcome present at 0
 * from the start so that alerts see the series, and how old the replica's key set is.
 */
final class CallerKeyMetrics {

	private final Map<CallerKeyOutcome, Counter> outcomes = new EnumMap<>(CallerKeyOutcome.class);

	CallerKeyMetrics(MeterRegistry registry, CallerKeys keys) {
		for (CallerKeyOutcome outcome : CallerKeyOutcome.values()) {
			this.outcomes.put(outcome,
					Counter.builder(GatewayMeters.CALLER_KEY_AUTH)
						.description("Calls that carried a caller key, by outcome")
						.tag("outcome", outcome.tag())
						.register(registry));
		}
		Gauge.builder(GatewayMeters.CALLER_KEYS_STALENESS, keys, CallerKeyMetrics::staleness)
			.description("Seconds since this replica last read its caller keys from their store "
					+ "(NaN before the first read)")
			.baseUnit("seconds")
			.register(registry);
	}

	void outcome(CallerKeyOutcome outcome) {
		this.outcomes.get(outcome).increment();
	}

	private static double staleness(CallerKeys keys) {
		Duration staleness = keys.staleness();
		return (staleness != null) ? staleness.toMillis() / 1000.0 : Double.NaN;
	}

}
