package io.aoaigateway.quota;

import java.util.List;

import io.aoaigateway.routing.ApiOperation;

import io.aoaigateway.quota.QuotaPolicies.AppliedWindow;

/**
 * One call's reservation: its id (the call's id in the ledger), what it reserved and
 * where.
 *
 * @param id the reservation id, unique per call
 * @param estimate what was reserved
 * @param operation the kind of call
 * @param applied the windows it was reserved in, with their policies
 */
record Reservation(String id, TokenEstimate estimate, ApiOperation operation, List<AppliedWindow> applied) {

	Reservation {
		applied = List.copyOf(applied);
	}

	/**
	 * @return the windows, without their policies
	 */
	List<QuotaWindow> windows() {
		return this.applied.stream().map(AppliedWindow::window).toList();
	}

	/**
	 * @return the tokens reserved
	 */
	long tokens() {
		return this.estimate.total();
	}

}
