package io.aoaigateway.quota;

import java.util.List;

import io.aoaigateway.pricing.Price;
import io.aoaigateway.quota.QuotaPolicies.AppliedWindow;
import io.aoaigateway.routing.ApiOperation;
import org.jspecify.annotations.Nullable;

/**
 * One call's reservation: its id (the call's id in the ledger), what it reserved and
 * where, and the price it is charged at. The price is the one in force when the call was
 * admitted; it travels with the reservation so that the settle charges the real usage at
 * the price the reservation was made at, whenever the call ends. Its windows and amount
 * are worked out once, when it is made: the reserve, the settle and the journal all read
 * them.
 */
final class Reservation {

	private final String id;

	private final TokenEstimate estimate;

	private final @Nullable Price price;

	private final ApiOperation operation;

	private final List<AppliedWindow> applied;

	private final List<QuotaWindow> windows;

	private final Amount amount;

	/**
	 * @param id the reservation id, unique per call
	 * @param estimate the tokens reserved
	 * @param price the call's deployment's price at admission, null when it has none (its
	 * cost is then 0)
	 * @param operation the kind of call
	 * @param applied the windows it was reserved in, with their policies
	 */
	Reservation(String id, TokenEstimate estimate, @Nullable Price price, ApiOperation operation,
			List<AppliedWindow> applied) {
		this.id = id;
		this.estimate = estimate;
		this.price = price;
		this.operation = operation;
		this.applied = List.copyOf(applied);
		this.windows = this.applied.stream().map(AppliedWindow::window).toList();
		this.amount = new Amount(estimate.total(), costOf(estimate.input(), estimate.output()));
	}

	String id() {
		return this.id;
	}

	TokenEstimate estimate() {
		return this.estimate;
	}

	@Nullable Price price() {
		return this.price;
	}

	ApiOperation operation() {
		return this.operation;
	}

	List<AppliedWindow> applied() {
		return this.applied;
	}

	/**
	 * @return the windows, without their policies
	 */
	List<QuotaWindow> windows() {
		return this.windows;
	}

	/**
	 * What is reserved: the estimate's tokens, and its worst-case cost (every input token
	 * uncached, every output token at the dearer of the output and reasoning prices), so
	 * that no usage within the estimate can cost more than was reserved.
	 * @return the amount reserved
	 */
	Amount amount() {
		return this.amount;
	}

	/**
	 * @param inputTokens input tokens
	 * @param outputTokens output tokens
	 * @return their worst-case cost at the reservation's price, 0 without one
	 */
	long costOf(long inputTokens, long outputTokens) {
		return (this.price != null) ? this.price.worstCaseOf(inputTokens, outputTokens) : 0;
	}

}
