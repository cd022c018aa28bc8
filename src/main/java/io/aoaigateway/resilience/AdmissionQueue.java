package io.aoaigateway.resilience;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.aoaigateway.priority.PriorityClass;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * Calls waiting on this replica for a deployment to serve them again, instead of being
 * refused with 429: each waits until the moment failover expects a backend to have room
 * for its class, then tries again. Bounded per class and per caller within a class;
 * nothing polls: one timer per deployment, set for the soonest moment a waiting call may
 * go.
 * <p>
 * When that moment comes, the calls that may go are released highest class first, and
 * within a class one per caller in turn (every caller's first waiting call, then every
 * caller's second...), so that a caller with many calls waiting does not crowd out one
 * with a few. The release waits a random time up to {@code jitter} after the moment, a
 * new draw each time, so that the replicas, which all learn the same cooldown from the
 * shared store, do not send their waiting calls at the same instant: the first to send
 * meets a backend that may throttle again, and its new cooldown reaches the others' calls
 * before they are sent (they read the cooldowns again when released).
 * <p>
 * A call that leaves (its client went away) leaves the queue at once.
 */
final class AdmissionQueue {

	private final Clock clock;

	private final Duration jitter;

	private final Scheduler timers;

	private final Map<String, Line> lines = new HashMap<>();

	private final Map<String, Integer> perClass = new HashMap<>();

	private final Map<String, Integer> perCaller = new HashMap<>();

	private long sequence;

	/**
	 * @param clock the time
	 * @param jitter the longest random delay added to each release
	 * @param timers where the release timers run
	 */
	AdmissionQueue(Clock clock, Duration jitter, Scheduler timers) {
		this.clock = clock;
		this.jitter = jitter;
		this.timers = timers;
	}

	/**
	 * Puts a call in the queue.
	 * @param line what the call waits for (its deployment)
	 * @param priority the call's class
	 * @param caller who calls
	 * @param openAt when the call may go
	 * @return the place, or null when the class's queue, or the caller's share of it, is
	 * full
	 */
	synchronized @Nullable Waiter enter(String line, PriorityClass priority, String caller, Instant openAt) {
		String callerKey = priority.name() + '\u0000' + caller;
		if (this.perClass.getOrDefault(priority.name(), 0) >= priority.maxQueued()
				|| this.perCaller.getOrDefault(callerKey, 0) >= priority.maxQueuedPerCaller()) {
			return null;
		}
		Line waiting = this.lines.computeIfAbsent(line, Line::new);
		Waiter waiter = new Waiter(waiting, priority, callerKey, this.sequence++, openAt);
		waiting.waiters.add(waiter);
		this.perClass.merge(priority.name(), 1, Integer::sum);
		this.perCaller.merge(callerKey, 1, Integer::sum);
		if (waiting.timerFor == null || openAt.isBefore(waiting.timerFor)) {
			schedule(waiting, openAt);
		}
		return waiter;
	}

	/**
	 * @param priority a class
	 * @return how many calls of the class wait now
	 */
	synchronized int waiting(PriorityClass priority) {
		return this.perClass.getOrDefault(priority.name(), 0);
	}

	private void schedule(Line line, Instant at) {
		Disposable previous = line.timer;
		if (previous != null) {
			previous.dispose();
		}
		long delay = Math.max(0, Duration.between(this.clock.instant(), at).toMillis());
		long spread = this.jitter.toMillis();
		if (spread > 0) {
			delay += ThreadLocalRandom.current().nextLong(spread + 1);
		}
		line.timerFor = at;
		line.timer = this.timers.schedule(() -> release(line, at), delay, TimeUnit.MILLISECONDS);
	}

	// Releases the calls whose moment has come, in order. The timer was set for one of
	// them, so that one goes even if the clock has not moved (a test's fixed clock).
	private void release(Line line, Instant firedFor) {
		List<Waiter> due = new ArrayList<>();
		synchronized (this) {
			if (line.timerFor == null || !line.timerFor.equals(firedFor)) {
				return; // replaced by a sooner timer
			}
			line.timer = null;
			line.timerFor = null;
			Instant now = this.clock.instant();
			Instant upTo = now.isAfter(firedFor) ? now : firedFor;
			Instant next = null;
			for (Waiter waiter : line.waiters) {
				if (!waiter.openAt.isAfter(upTo)) {
					due.add(waiter);
				}
				else if (next == null || waiter.openAt.isBefore(next)) {
					next = waiter.openAt;
				}
			}
			line.waiters.removeAll(due);
			due.forEach(this::forget);
			if (next != null) {
				schedule(line, next);
			}
			else if (line.waiters.isEmpty()) {
				this.lines.remove(line.name);
			}
		}
		for (Waiter waiter : inTurn(due)) {
			waiter.sink.tryEmitEmpty();
		}
	}

	// Highest class first; within a class, each caller's first call, then each caller's
	// second, and so on; in the order they came otherwise.
	private static List<Waiter> inTurn(List<Waiter> due) {
		Map<String, Integer> seen = new HashMap<>();
		Map<Waiter, Integer> turn = new HashMap<>();
		due.sort(Comparator.comparingLong((Waiter waiter) -> waiter.sequence));
		for (Waiter waiter : due) {
			turn.put(waiter, seen.merge(waiter.callerKey, 1, Integer::sum));
		}
		due.sort(Comparator.comparingInt((Waiter waiter) -> waiter.priority.rank())
			.thenComparingInt(turn::get)
			.thenComparingLong((waiter) -> waiter.sequence));
		return due;
	}

	private synchronized void leave(Waiter waiter) {
		if (waiter.line.waiters.remove(waiter)) {
			forget(waiter);
			if (waiter.line.waiters.isEmpty()) {
				Disposable timer = waiter.line.timer;
				if (timer != null) {
					timer.dispose();
				}
				waiter.line.timer = null;
				waiter.line.timerFor = null;
				this.lines.remove(waiter.line.name);
			}
		}
	}

	private void forget(Waiter waiter) {
		this.perClass.computeIfPresent(waiter.priority.name(), (name, count) -> (count > 1) ? count - 1 : null);
		this.perCaller.computeIfPresent(waiter.callerKey, (key, count) -> (count > 1) ? count - 1 : null);
	}

	/** The calls waiting for one deployment, and its timer. */
	private static final class Line {

		private final String name;

		private final List<Waiter> waiters = new ArrayList<>();

		private @Nullable Disposable timer;

		private @Nullable Instant timerFor;

		Line(String name) {
			this.name = name;
		}

	}

	/** One waiting call. */
	final class Waiter {

		private final Line line;

		private final PriorityClass priority;

		private final String callerKey;

		private final long sequence;

		private final Instant openAt;

		private final Sinks.Empty<Void> sink = Sinks.empty();

		Waiter(Line line, PriorityClass priority, String callerKey, long sequence, Instant openAt) {
			this.line = line;
			this.priority = priority;
			this.callerKey = callerKey;
			this.sequence = sequence;
			this.openAt = openAt;
		}

		/**
		 * @return completes when the call may try again; cancelling it leaves the queue
		 */
		Mono<Void> released() {
			return this.sink.asMono().doOnCancel(() -> leave(this));
		}

	}

}
