package io.aoaigateway.quota;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.aoaigateway.auth.CallerIdentity;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every {@link TrackedObjects} must do: keep each object once, hand a due object to
 * one claimant per lease, and keep or drop it as told.
 */
abstract class TrackedObjectsContractTests {

	static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");

	static final Duration WAIT = Duration.ofSeconds(5);

	static final Duration LEASE = Duration.ofMinutes(1);

	static final Duration KEEP = Duration.ofHours(24);

	/**
	 * @return the store under test, empty
	 */
	protected abstract TrackedObjects store();

	static TrackedObject object(String id) {
		return new TrackedObject(id, "sim-a", "/openai/v1/responses/" + id, new CallerIdentity("user-1", "subject-1",
				"tenant-1", "app-1", null, List.of("reader"), List.of("group-1")), NOW.toEpochMilli(), 0, "gpt-4o",
				null);
	}

	@Test
	void claimWhenDueThenTheObjectAsTrackedAndNotAgainWithinTheLease() {
		TrackedObject object = object("resp_1");
		store().track(object, NOW.plusSeconds(2), KEEP).block(WAIT);

		assertThat(claim(NOW.plusSeconds(1))).isEmpty();
		assertThat(claim(NOW.plusSeconds(2))).containsExactly(object);
		assertThat(claim(NOW.plusSeconds(3))).isEmpty();
		// A claimant that never came back: the object is due again when the lease ends.
		assertThat(claim(NOW.plusSeconds(2).plus(LEASE))).containsExactly(object);
	}

	@Test
	void trackWhenTrackedAlreadyThenTheFirstIsKept() {
		TrackedObject first = object("resp_1");
		store().track(first, NOW, KEEP).block(WAIT);

		store().track(first.polledAgain(), NOW.plusSeconds(60), KEEP).block(WAIT);

		assertThat(claim(NOW)).containsExactly(first);
	}

	@Test
	void claimWhenManyDueThenAtMostMaxOldestFirst() {
		for (int index = 0; index < 5; index++) {
			store().track(object("resp_" + index), NOW.plusSeconds(10 - index), KEEP).block(WAIT);
		}

		List<TrackedObject> claimed = store().claim(NOW.plusSeconds(10), LEASE, 3).block(WAIT);

		assertThat(claimed).extracting(TrackedObject::id).containsExactly("resp_4", "resp_3", "resp_2");
		assertThat(claim(NOW.plusSeconds(10))).extracting(TrackedObject::id).containsExactly("resp_1", "resp_0");
	}

	@Test
	void rescheduleWhenClaimedThenDueAtTheNewTimeWithTheNewState() {
		TrackedObject object = object("resp_1");
		store().track(object, NOW, KEEP).block(WAIT);
		claim(NOW);

		store().reschedule(object.polledAgain(), NOW.plusSeconds(4)).block(WAIT);

		assertThat(claim(NOW.plusSeconds(3))).isEmpty();
		assertThat(claim(NOW.plusSeconds(4))).singleElement()
			.satisfies((read) -> assertThat(read.polls()).isEqualTo(1));
	}

	@Test
	void forgetWhenTrackedThenNeverClaimedAndRescheduleDoesNotBringItBack() {
		TrackedObject object = object("resp_1");
		store().track(object, NOW, KEEP).block(WAIT);

		store().forget("resp_1").block(WAIT);
		store().reschedule(object.polledAgain(), NOW).block(WAIT);

		assertThat(claim(NOW.plus(LEASE).plus(LEASE))).isEmpty();
	}

	@Test
	void claimWhenEmptyThenNothing() {
		assertThat(claim(NOW)).isEmpty();
	}

	List<TrackedObject> claim(Instant now) {
		return store().claim(now, LEASE, ObjectSettlement.CLAIM_SIZE).block(WAIT);
	}

}
