package io.aoaigateway.quota;

import io.aoaigateway.routing.ApiOperation;
import io.aoaigateway.usage.CallUsage;

/**
 * What a call is charged once it has ended: the usage the backend reported; else nothing
 * when the backend refused it or could not be reached; else an estimate, so that a call
 * the client or the backend cut short is never free.
 */
final class CallCharge {

	private CallCharge() {
	}

	/**
	 * @param reservation the call's reservation
	 * @param usage what the response showed
	 * @return the tokens to charge
	 */
	static long of(Reservation reservation, CallUsage usage) {
		if (reservation.operation() == ApiOperation.RUN || usage.deferred()) {
			// A run or a background response is charged once, when it ends.
			return 0;
		}
		if (usage.reported() != null) {
			return usage.reported().totalTokens();
		}
		if (usage.status() == null) {
			// Cut before any answer: a client that left may still have cost the whole
			// call.
			return usage.cancelled() ? reservation.tokens() : 0;
		}
		if (!usage.succeeded()) {
			return 0;
		}
		if (usage.streamed()) {
			return reservation.estimate().input() + TokenEstimate.outputOf(usage.generatedCharacters());
		}
		return reservation.tokens();
	}

}
