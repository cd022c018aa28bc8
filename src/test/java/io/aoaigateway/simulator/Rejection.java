package io.aoaigateway.simulator;

/**
 * Ends the handling of a call early with an error answer, e.g. a 404 for an unknown id
 * found deep inside a request body.
 */
final class Rejection extends RuntimeException {

	private final transient Answer answer;

	Rejection(Answer answer) {
		super(null, null, false, false);
		this.answer = answer;
	}

	Answer answer() {
		return this.answer;
	}

}
