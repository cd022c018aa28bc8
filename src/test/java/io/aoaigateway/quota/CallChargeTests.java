package io.aoaigateway.quota;

import java.util.List;

import io.aoaigateway.routing.ApiOperation;
import io.aoaigateway.usage.AnswerIds;
import io.aoaigateway.usage.CallUsage;
import io.aoaigateway.usage.TokenUsage;
import io.aoaigateway.usage.RunningObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a call is charged for each way it can end.
 */
class CallChargeTests {

	private static final Reservation CHAT = new Reservation("r", new TokenEstimate(100, 500), null, ApiOperation.CHAT,
			List.of());

	@Test
	void chargeWhenUsageReportedThenExactlyThat() {
		assertThat(charge(CHAT, new TokenUsage(30, 700, 10, 5), 200, true, false, false, 0)).isEqualTo(730);
	}

	@Test
	void chargeWhenBackendRefusedThenNothing() {
		assertThat(charge(CHAT, null, 429, true, false, false, 0)).isZero();
		assertThat(charge(CHAT, null, 400, true, false, false, 0)).isZero();
	}

	@Test
	void chargeWhenClientLeftBeforeAnyAnswerThenTheWholeEstimate() {
		assertThat(charge(CHAT, null, null, false, true, false, 0)).isEqualTo(600);
	}

	@Test
	void chargeWhenBackendUnreachableThenNothing() {
		assertThat(charge(CHAT, null, null, false, false, false, 0)).isZero();
	}

	@Test
	void chargeWhenStreamCutShortThenInputEstimateAndWhatWasGenerated() {
		assertThat(charge(CHAT, null, 200, false, true, true, 40)).isEqualTo(100 + 10);
	}

	@Test
	void chargeWhenJsonAnswerHasNoUsageThenTheWholeEstimate() {
		assertThat(charge(CHAT, null, 200, true, false, false, 0)).isEqualTo(600);
	}

	@Test
	void chargeWhenRunCreatedThenNothingUntilTheRunEnds() {
		Reservation run = new Reservation("r", new TokenEstimate(1, 0), null, ApiOperation.RUN, List.of());

		assertThat(charge(run, new TokenUsage(5, 5, 0, 0), 200, true, false, true, 100)).isZero();
	}

	@Test
	void chargeWhenBackgroundResponseCreatedThenNothingUntilItEnds() {
		Reservation responses = new Reservation("r", new TokenEstimate(100, 500), null, ApiOperation.RESPONSES,
				List.of());
		CallUsage queued = new CallUsage(null, 0, false, 200, true, false, List.of(),
				new AnswerIds(List.of("resp_1"), List.of()), List.of(new RunningObject("resp_1", null, "queued")));

		assertThat(CallCharge.of(responses, queued)).isEqualTo(Amount.ZERO);
	}

	private static long charge(Reservation reservation, TokenUsage reported, Integer status, boolean completed,
			boolean cancelled, boolean streamed, long characters) {
		return cost(reservation, reported, status, completed, cancelled, streamed, characters).tokens();
	}

	private static Amount cost(Reservation reservation, TokenUsage reported, Integer status, boolean completed,
			boolean cancelled, boolean streamed, long characters) {
		return CallCharge.of(reservation, new CallUsage(reported, characters, streamed, status, completed, cancelled,
				List.of(), AnswerIds.NONE, List.of()));
	}

}
