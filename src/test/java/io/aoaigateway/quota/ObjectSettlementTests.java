package io.aoaigateway.quota;

import java.time.Duration;
import java.time.Instant;

import io.aoaigateway.quota.ObjectSettlement.Read;
import io.aoaigateway.quota.ObjectSettlement.Step;
import io.aoaigateway.usage.TokenUsage;
import io.aoaigateway.usage.RunningObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the gateway does with a background response or a run after reading it, and where
 * it reads it.
 */
class ObjectSettlementTests {

	private static final QuotaProperties.Settlement SETTINGS = QuotaFixtures.SETTLEMENT;

	private static final TrackedObject OBJECT = TrackedObjectsContractTests.object("resp_1");

	private static final Instant ADMITTED = Instant.ofEpochMilli(OBJECT.trackedAt());

	private static final TokenUsage USAGE = new TokenUsage(30, 70, 0, 16);

	@Test
	void nextWhenEndedWithUsageThenChargedWhateverTheEnd() {
		for (String status : new String[] { "completed", "failed", "cancelled", "incomplete" }) {
			Step step = ObjectSettlement.next(new Read(true, "response", status, USAGE), OBJECT, ADMITTED, SETTINGS);

			assertThat(step).isEqualTo(new Step.Charge(USAGE));
		}
		Step run = ObjectSettlement.next(new Read(true, "thread.run", "expired", USAGE), OBJECT, ADMITTED, SETTINGS);
		assertThat(run).isEqualTo(new Step.Charge(USAGE));
	}

	@Test
	void nextWhenEndedWithoutUsageThenForgottenUncharged() {
		Step step = ObjectSettlement.next(new Read(true, "response", "cancelled", null), OBJECT, ADMITTED, SETTINGS);

		assertThat(step).isEqualTo(Step.ENDED_WITHOUT_USAGE);
	}

	@Test
	void nextWhenStillRunningOrUnreadThenReadAgainAfterTheBackOff() {
		Instant now = ADMITTED.plusSeconds(10);

		Step queued = ObjectSettlement.next(new Read(true, "response", "queued", null), OBJECT, now, SETTINGS);
		Step failed = ObjectSettlement.next(Read.FAILED, OBJECT.polledAgain(), now, SETTINGS);
		// A response's status that is a run's end only is not an end.
		Step expired = ObjectSettlement.next(new Read(true, "response", "expired", USAGE), OBJECT, now, SETTINGS);

		assertThat(queued).isEqualTo(new Step.Retry(now.plusSeconds(2), "pending"));
		assertThat(failed).isEqualTo(new Step.Retry(now.plusSeconds(4), "failed"));
		assertThat(expired).isInstanceOf(Step.Retry.class);
	}

	@Test
	void nextWhenGoneThenForgotten() {
		assertThat(ObjectSettlement.next(Read.GONE, OBJECT, ADMITTED, SETTINGS)).isEqualTo(Step.GONE);
	}

	@Test
	void nextWhenStillRunningAtTheLimitThenGivenUp() {
		Instant limit = ADMITTED.plus(SETTINGS.giveUpAfter());

		assertThat(ObjectSettlement.next(new Read(true, "response", "in_progress", null), OBJECT, limit.minusMillis(1),
				SETTINGS))
			.isInstanceOf(Step.Retry.class);
		assertThat(ObjectSettlement.next(new Read(true, "response", "in_progress", null), OBJECT, limit, SETTINGS))
			.isEqualTo(Step.GIVEN_UP);
	}

	@Test
	void backoffWhenReadAgainThenDoublesUpToTheLongest() {
		assertThat(ObjectSettlement.backoff(0, SETTINGS)).isEqualTo(Duration.ofSeconds(2));
		assertThat(ObjectSettlement.backoff(1, SETTINGS)).isEqualTo(Duration.ofSeconds(4));
		assertThat(ObjectSettlement.backoff(4, SETTINGS)).isEqualTo(Duration.ofSeconds(32));
		assertThat(ObjectSettlement.backoff(5, SETTINGS)).isEqualTo(Duration.ofMinutes(1));
		assertThat(ObjectSettlement.backoff(Integer.MAX_VALUE, SETTINGS)).isEqualTo(Duration.ofMinutes(1));
	}

	@Test
	void pathWhenResponseOrRunThenBesideTheCollectionTheCallUsedWithItsApiVersionOnly() {
		RunningObject response = new RunningObject("resp_1", null, "queued");
		RunningObject run = new RunningObject("run_1", "thread_1", "queued");

		assertThat(ObjectSettlement.path(response, "/openai/v1/responses", null))
			.isEqualTo("/openai/v1/responses/resp_1");
		assertThat(ObjectSettlement.path(response, "/openai/responses", "x=1&api-version=2025-04-01-preview&y=2"))
			.isEqualTo("/openai/responses/resp_1?api-version=2025-04-01-preview");
		assertThat(ObjectSettlement.path(run, "/openai/threads/thread_1/runs", "api-version=2024-10-01-preview"))
			.isEqualTo("/openai/threads/thread_1/runs/run_1?api-version=2024-10-01-preview");
		assertThat(ObjectSettlement.path(run, "/openai/threads/runs", null))
			.isEqualTo("/openai/threads/thread_1/runs/run_1");
	}

}
