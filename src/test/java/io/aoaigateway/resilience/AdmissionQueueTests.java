package io.aoaigateway.resilience;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.aoaigateway.FakeClock;
import io.aoaigateway.priority.PriorityClass;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.test.scheduler.VirtualTimeScheduler;

import static org.assertj.core.api.Assertions.assertThat;

class AdmissionQueueTests {

	private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");

	private static final PriorityClass INTERACTIVE = new PriorityClass("interactive", 0, 0, Duration.ofSeconds(30), 3,
			2);

	private static final PriorityClass BATCH = new PriorityClass("batch", 1, 0.5, Duration.ofSeconds(30), 10, 5);

	private final FakeClock clock = new FakeClock(NOW);

	private final VirtualTimeScheduler timers = VirtualTimeScheduler.create();

	private final AdmissionQueue queue = new AdmissionQueue(this.clock, Duration.ZERO, this.timers);

	private final List<String> released = new ArrayList<>();

	@Test
	void enterThenReleasedWhenItsMomentComesAndNotBefore() {
		wait("first", INTERACTIVE, "alice", NOW.plusSeconds(5));

		advance(Duration.ofMillis(4_999));
		assertThat(this.released).isEmpty();
		advance(Duration.ofMillis(1));
		assertThat(this.released).containsExactly("first");
		assertThat(this.queue.waiting(INTERACTIVE)).isZero();
	}

	@Test
	void releaseWhenSeveralAreDueThenHighestClassFirstAndCallersInTurn() {
		Instant open = NOW.plusSeconds(1);
		wait("x1", BATCH, "xavier", open);
		wait("x2", BATCH, "xavier", open);
		wait("y1", INTERACTIVE, "yara", open);
		wait("x3", BATCH, "xavier", open);
		wait("z1", BATCH, "zoe", open);
		wait("y2", INTERACTIVE, "yara", open);

		advance(Duration.ofSeconds(1));

		assertThat(this.released).containsExactly("y1", "y2", "x1", "z1", "x2", "x3");
	}

	@Test
	void enterWhenTheClassOrTheCallersShareIsFullThenRefused() {
		Instant open = NOW.plusSeconds(1);
		assertThat(this.queue.enter("gpt-4o", INTERACTIVE, "alice", open)).isNotNull();
		assertThat(this.queue.enter("gpt-4o", INTERACTIVE, "alice", open)).isNotNull();
		assertThat(this.queue.enter("gpt-4o", INTERACTIVE, "alice", open)).as("alice's share is 2").isNull();
		assertThat(this.queue.enter("gpt-4o-mini", INTERACTIVE, "bob", open)).isNotNull();
		assertThat(this.queue.enter("gpt-4o", INTERACTIVE, "carol", open)).as("the class holds 3").isNull();
		assertThat(this.queue.enter("gpt-4o", BATCH, "alice", open)).as("another class has its own").isNotNull();
		assertThat(this.queue.waiting(INTERACTIVE)).isEqualTo(3);
	}

	@Test
	void cancelWhileWaitingThenItLeavesAndIsNeverReleased() {
		Disposable first = wait("first", INTERACTIVE, "alice", NOW.plusSeconds(5));
		wait("second", INTERACTIVE, "alice", NOW.plusSeconds(5));
		assertThat(this.queue.enter("gpt-4o", INTERACTIVE, "alice", NOW)).isNull();

		first.dispose();

		assertThat(this.queue.waiting(INTERACTIVE)).isEqualTo(1);
		wait("third", INTERACTIVE, "alice", NOW.plusSeconds(5));
		advance(Duration.ofSeconds(5));
		assertThat(this.released).containsExactly("second", "third");
	}

	@Test
	void enterWhenSoonerThanTheTimerThenTheTimerIsSetForIt() {
		wait("later", INTERACTIVE, "alice", NOW.plusSeconds(10));
		wait("sooner", BATCH, "bob", NOW.plusSeconds(2));

		advance(Duration.ofSeconds(2));
		assertThat(this.released).containsExactly("sooner");
		advance(Duration.ofSeconds(8));
		assertThat(this.released).containsExactly("sooner", "later");
	}

	@Test
	void releaseWhenTheClockStandsStillThenTheCallsTheTimerWasSetForGoAnyway() {
		wait("first", INTERACTIVE, "alice", NOW.plusSeconds(3));

		this.timers.advanceTimeBy(Duration.ofSeconds(3));

		assertThat(this.released).containsExactly("first");
	}

	@Test
	void releaseWithJitterThenWithinTheJitterAfterTheMoment() {
		AdmissionQueue jittered = new AdmissionQueue(this.clock, Duration.ofMillis(500), this.timers);
		AdmissionQueue.Waiter waiter = jittered.enter("gpt-4o", INTERACTIVE, "alice", NOW.plusSeconds(1));
		waiter.released().subscribe(null, null, () -> this.released.add("first"));

		advance(Duration.ofMillis(999));
		assertThat(this.released).isEmpty();
		advance(Duration.ofMillis(501));
		assertThat(this.released).containsExactly("first");
	}

	private Disposable wait(String name, PriorityClass priority, String caller, Instant open) {
		AdmissionQueue.Waiter waiter = this.queue.enter("gpt-4o", priority, caller, open);
		assertThat(waiter).isNotNull();
		return waiter.released().subscribe(null, null, () -> this.released.add(name));
	}

	private void advance(Duration duration) {
		this.clock.advance(duration);
		this.timers.advanceTimeBy(duration);
	}

}
