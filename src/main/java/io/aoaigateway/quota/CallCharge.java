package io.aoaigateway.quota;

import io.aoaigateway.routing.ApiOperation;
import io.aoaigateway.usage.CallUsage;
import io.aoaigateway.usage.TokenUsage;

/**
 * What a call is charged once it has ended: the usage the backend reported; else nothing
 * when the backend refused it or could not be reached; else an estimate, so that a call
 * the client or the backend cut short is never free. Its cost is at the reservation's
 * price: the reported usage part by part, an estimate at its worst case.
 */
final class CallCharge {

	private CallCharge() {
	}

	/**
	 * @param reservation the call's reservation
	 * @param usage what the response showed
	 * @return the tokens and cost to charge
	 */
	static Amount of(Reservation reservation, CallUsage usage) {
		if (reservation.operation() == ApiOperation.RUN || usage.deferred()) {
			// A run or a background response is charged once, when it ends.
			return Amount.ZERO;
		}
		TokenUsage reported = usage.reported();
		if (reported != null) {
			return new Amount(reported.totalTokens(),
					(reservation.price() != null) ? reservation.price().costOf(reported) : 0);
		}
		if (usage.status() == null) {
			// Cut before any answer: a client that left may still have cost the whole
			// call.
			return usage.cancelled() ? reservation.amount() : Amount.ZERO;
		}
		if (!usage.succeeded()) {
			return Amount.ZERO;
		}
		if (usage.streamed()) {
			long input = reservation.estimate().input();
			long output = TokenEstimate.outputOf(usage.generatedCharacters());
			return new Amount(input + output, reservation.costOf(input, output));
		}
		return reservation.amount();
	}

}
