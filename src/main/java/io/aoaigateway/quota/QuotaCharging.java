package io.aoaigateway.quota;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import io.aoaigateway.auth.CallerIdentity;
import io.aoaigateway.pricing.PriceCatalogue;
import io.aoaigateway.quota.QuotaPolicies.AppliedWindow;
import io.aoaigateway.quota.QuotaProperties.Policy;
import io.aoaigateway.routing.ApiOperation;
import io.aoaigateway.routing.BodyAmendment;
import io.aoaigateway.routing.RequestFacts;
import io.aoaigateway.routing.RouteTarget;
import org.jspecify.annotations.Nullable;

/**
 * What quotas do to one call, decided without the exchange: the members to add to its
 * body (only when a setting needs them), and the reservation to make (only when a policy
 * of the caller covers a call that spends tokens).
 */
final class QuotaCharging {

	private final QuotaPolicies policies;

	private final QuotaProperties properties;

	private final CallerPseudonym pseudonym;

	private final PriceCatalogue prices;

	// Reservation ids: unique across replicas (a random prefix per replica) without a
	// SecureRandom draw per call.
	private final String idPrefix = UUID.randomUUID().toString() + "-";

	private final AtomicLong ids = new AtomicLong();

	QuotaCharging(QuotaProperties properties, PriceCatalogue prices) {
		this.policies = new QuotaPolicies(properties.policies());
		this.properties = properties;
		this.pseudonym = new CallerPseudonym(properties.pseudonymKey());
		this.prices = prices;
	}

	/**
	 * @return the prices calls are charged at
	 */
	PriceCatalogue prices() {
		return this.prices;
	}

	/**
	 * @return whether any quota policy is configured
	 */
	boolean enforcing() {
		return !this.policies.isEmpty();
	}

	/**
	 * What to add to a call's JSON body: the caller's pseudonymous {@code user}
	 * ({@code aoai.quota.stamp-user}), and for a chat stream that did not ask for it the
	 * usage chunk, without which its tokens could not be counted.
	 * @param caller the caller
	 * @param target what the call was resolved to
	 * @param facts what its body holds
	 * @param path the request path
	 * @return the amendment, null for none
	 */
	@Nullable BodyAmendment amendment(CallerIdentity caller, RouteTarget target, RequestFacts facts, String path) {
		ApiOperation operation = target.operation();
		if (!operation.metered() || !facts.valid()) {
			return null;
		}
		String user = (this.properties.stampUser() && operation.acceptsUser()) ? this.pseudonym.of(caller) : null;
		// stream_options is documented for chat only, and never for AI Model Inference.
		boolean includeUsage = operation == ApiOperation.CHAT && facts.stream() && !facts.includeUsage()
				&& !path.contains("/extensions/");
		return (user != null || includeUsage) ? new BodyAmendment(user, includeUsage) : null;
	}

	/**
	 * The reservation a call must make before it is sent.
	 * @param caller the caller
	 * @param target what the call was resolved to
	 * @param facts what its body holds
	 * @param bodyBytes the size of its body
	 * @param priorityClass the call's priority class, null when priorities are off
	 * @param now the time
	 * @return the reservation, null when no policy applies or the call spends no tokens
	 */
	@Nullable Reservation reservation(CallerIdentity caller, RouteTarget target, RequestFacts facts, int bodyBytes,
			@Nullable String priorityClass, Instant now) {
		ApiOperation operation = target.operation();
		if (!operation.metered() || this.policies.isEmpty()) {
			return null;
		}
		List<AppliedWindow> applied = this.policies.windows(caller, target.deployment(), priorityClass, now);
		if (applied.isEmpty()) {
			return null;
		}
		TokenEstimate estimate = TokenEstimate.of(operation, bodyBytes, facts,
				this.properties.defaultMaxOutputTokens());
		return new Reservation(this.idPrefix + this.ids.incrementAndGet(), estimate,
				this.prices.priceOf(pricedAs(target, facts), now), operation, applied);
	}

	/**
	 * A cost policy whose budget a call would spend without being charged: the call names
	 * a deployment or model the catalogue has no price for (unknown, or not yet in
	 * force). Such a call is refused rather than let through for free. A call that names
	 * none (an Assistants run) is not covered by money budgets.
	 * @param reservation the call's reservation
	 * @param target what the call was resolved to
	 * @param facts what its body holds
	 * @return the first such policy, null when the call has a price, names no model, or
	 * has no cost window
	 */
	static @Nullable Policy unpricedCostPolicy(Reservation reservation, RouteTarget target, RequestFacts facts) {
		if (reservation.price() != null || pricedAs(target, facts) == null) {
			return null;
		}
		return reservation.applied()
			.stream()
			.filter((window) -> window.window().unit() == QuotaUnit.COST)
			.map(AppliedWindow::policy)
			.findFirst()
			.orElse(null);
	}

	/**
	 * The deployment a call is priced as: the one it names, or for a stateful call (a
	 * Responses or Assistants create, which names none) the body's {@code model}, the
	 * deployment name the caller gave the object.
	 * @param target what the call was resolved to
	 * @param facts what its body holds
	 * @return the deployment name, null when the call names none anywhere
	 */
	static @Nullable String pricedAs(RouteTarget target, RequestFacts facts) {
		return (target.deployment() != null) ? target.deployment() : facts.model();
	}

	/**
	 * The windows of one unit a finished run or background response is charged in: those
	 * of the policies without a deployment.
	 * @param caller the caller
	 * @param priorityClass the class to charge it in, null for none
	 * @param unit the windows' unit
	 * @param now the time
	 * @return the windows
	 */
	List<QuotaWindow> runWindows(CallerIdentity caller, @Nullable String priorityClass, QuotaUnit unit, Instant now) {
		return this.policies.windows(caller, null, priorityClass, now)
			.stream()
			.map(AppliedWindow::window)
			.filter((window) -> window.unit() == unit)
			.toList();
	}

}
