package io.aoaigateway.support;

import java.time.Duration;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.context.SmartLifecycle;

/**
 * Runs a round of background work at a fixed interval while the application runs, one
 * round at a time: a tick that comes while a round still runs is dropped, not queued, and
 * a round that fails or outlasts its longest time is logged and does not stop the next
 * ones.
 */
public final class PeriodicRounds implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(PeriodicRounds.class);

	private final String name;

	private final Duration firstDelay;

	private final Duration interval;

	private final Duration longestRound;

	private final Supplier<? extends Mono<?>> round;

	private volatile @Nullable Disposable rounds;

	/**
	 * @param name what the rounds do, for log lines
	 * @param firstDelay the wait before the first round
	 * @param interval the time between two rounds' starts
	 * @param longestRound the longest one round may take before it is cut short
	 * @param round starts one round
	 */
	public PeriodicRounds(String name, Duration firstDelay, Duration interval, Duration longestRound,
			Supplier<? extends Mono<?>> round) {
		this.name = name;
		this.firstDelay = firstDelay;
		this.interval = interval;
		this.longestRound = longestRound;
		this.round = round;
	}

	@Override
	public void start() {
		this.rounds = Flux.interval(this.firstDelay, this.interval)
			.onBackpressureDrop()
			.concatMap((tick) -> Mono.defer(this.round).then().timeout(this.longestRound).onErrorResume((ex) -> {
				logger.warn("A round of " + this.name + " failed: " + ex);
				return Mono.empty();
			}), 0)
			.subscribe();
	}

	@Override
	public void stop() {
		Disposable running = this.rounds;
		this.rounds = null;
		if (running != null) {
			try {
				running.dispose();
			}
			catch (RuntimeException ex) {
				// A round's call was cut short; the next start does it again.
				logger.debug("Stopping the " + this.name + " rounds cut one short: " + ex);
			}
		}
	}

	@Override
	public boolean isRunning() {
		return this.rounds != null;
	}

}
