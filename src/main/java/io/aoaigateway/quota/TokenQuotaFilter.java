package io.aoaigateway.quota;

import java.time.Clock;
import java.time.Instant;
import java.util.Objects;

import io.aoaigateway.auth.CallerIdentity;
import io.aoaigateway.observability.GatewayMeters;
import io.aoaigateway.routing.BackendDeployment;
import io.aoaigateway.routing.BodyAmendment;
import io.aoaigateway.routing.GatewayCall;
import io.aoaigateway.routing.RouteTarget;
import io.aoaigateway.quota.QuotaGate.Admission;
import io.aoaigateway.quota.QuotaGate.Outcome;
import io.aoaigateway.quota.QuotaProperties.Policy;
import io.aoaigateway.support.AzureError;
import io.aoaigateway.support.GatewayErrors;
import io.aoaigateway.usage.CallUsage;
import io.aoaigateway.usage.MeteredCall;
import io.aoaigateway.usage.ObjectUsage;
import io.aoaigateway.usage.RunningObject;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ServerWebExchange;

/**
 * Admits a call only if every quota policy of its caller (and of its priority class) has
 * room for the call's estimate, in tokens and at its worst-case cost, reserving it
 * atomically in all of them; when the response has ended, replaces the reservation with
 * the real usage and its cost at the price the reservation was made at. The decisions,
 * and what happens when the shared store fails, are {@link QuotaGate}'s; what a call is
 * charged is {@link CallCharge}'s. Also adds the caller's pseudonymous {@code user} and,
 * for chat streams, asks the backend for the usage chunk the client did not ask for (and
 * has it removed again before the client sees it); and hands the runs and background
 * responses that answers create to the {@link ObjectSettlement}, which charges and counts
 * each once when it ends.
 */
final class TokenQuotaFilter implements GlobalFilter, Ordered {

	/** After the route has resolved the deployment, before a backend is chosen. */
	static final int ORDER = 100;

	private final QuotaCharging charging;

	private final QuotaGate gate;

	private final ObjectSettlement settlement;

	private final Clock clock;

	private final GatewayMeters meters;

	TokenQuotaFilter(QuotaCharging charging, QuotaGate gate, ObjectSettlement settlement, Clock clock,
			GatewayMeters meters) {
		this.charging = charging;
		this.gate = gate;
		this.settlement = settlement;
		this.clock = clock;
		this.meters = meters;
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		GatewayCall call = exchange.getRequiredAttribute(GatewayCall.ATTRIBUTE);
		CallerIdentity caller = call.caller();
		RouteTarget target = call.target();
		if (caller == null || target == null) {
			return chain.filter(exchange);
		}
		BodyAmendment amendment = this.charging.amendment(caller, target, call.facts(),
				exchange.getRequest().getPath().value());
		if (amendment != null) {
			call.amend(amendment);
			if (amendment.includeUsage()) {
				call.metered().removeInjectedUsage();
			}
		}
		MeteredCall metered = call.metered();
		Instant now = this.clock.instant();
		// Runs and background responses are counted (and charged) once when they end,
		// with or without quotas: the stateful creates that start them hand them over.
		if (target.stateful() && HttpMethod.POST.equals(exchange.getRequest().getMethod())) {
			metered.onFinish((usage) -> track(exchange, call, caller, usage, now));
		}
		if (!this.charging.enforcing()) {
			return chain.filter(exchange);
		}
		String priorityClass = call.priorityClass();
		metered.onFinish((usage) -> chargeRuns(caller, priorityClass, usage));
		byte[] body = call.body();
		Reservation reservation = this.charging.reservation(caller, target, call.facts(),
				(body != null) ? body.length : 0, priorityClass, now);
		if (reservation == null) {
			return chain.filter(exchange);
		}
		Policy unpriced = QuotaCharging.unpricedCostPolicy(reservation, target, call.facts());
		if (unpriced != null) {
			this.meters.quota("refused_unpriced");
			String deployment = QuotaCharging.pricedAs(target, call.facts());
			return GatewayErrors.write(exchange,
					new AzureError(HttpStatus.FORBIDDEN, "QuotaExceeded",
							"Policy '" + unpriced.name() + "' limits what calls cost, and the gateway has no price for "
									+ ((deployment != null) ? "'" + deployment + "'" : "this call")
									+ ": it cannot charge this call. Ask the gateway's operators to price it."));
		}
		return this.gate.admit(reservation, now).flatMap((admission) -> switch (admission.outcome()) {
			case ADMITTED, ADMITTED_LOCAL -> admitted(exchange, chain, metered, reservation, admission);
			case REFUSED -> QuotaAnswers.rejected(exchange.getResponse(), reservation.applied(),
					Objects.requireNonNull(admission.decision()), reservation.amount(), now,
					this.charging.prices().currency(), this.meters);
			case STORE_DOWN -> storeDown(exchange);
		});
	}

	private Mono<Void> admitted(ServerWebExchange exchange, GatewayFilterChain chain, MeteredCall call,
			Reservation reservation, Admission admission) {
		this.meters.quota((admission.outcome() == Outcome.ADMITTED_LOCAL) ? "admitted_local" : "admitted");
		QuotaAnswers.addRemainingHeaders(exchange.getResponse(),
				Objects.requireNonNull(admission.decision()).windows());
		call.onFinish((usage) -> this.gate.settle(reservation, admission, CallCharge.of(reservation, usage),
				this.clock.instant()));
		return chain.filter(exchange);
	}

	private Mono<Void> storeDown(ServerWebExchange exchange) {
		this.meters.quota("refused_store_down");
		exchange.getResponse().getHeaders().set(HttpHeaders.RETRY_AFTER, "1");
		return GatewayErrors.write(exchange, AzureError.of(HttpStatus.SERVICE_UNAVAILABLE,
				"The gateway cannot check your token quota right now; try again shortly."));
	}

	// A poll finds them tracked already.
	private void track(ServerWebExchange exchange, GatewayCall call, CallerIdentity caller, CallUsage usage,
			Instant admitted) {
		BackendDeployment answered = call.attempts().current();
		if (usage.runningObjects().isEmpty() || !usage.succeeded() || answered == null) {
			return;
		}
		RouteTarget target = Objects.requireNonNull(call.target());
		for (RunningObject object : usage.runningObjects()) {
			this.settlement.track(object, answered.backend().name(), exchange.getRequest().getPath().value(),
					exchange.getRequest().getURI().getRawQuery(), caller, QuotaCharging.pricedAs(target, call.facts()),
					call.priorityClass(), admitted);
		}
	}

	// Whoever sees a run or background response end first charges its tokens, once; its
	// cost is charged by the settlement, which knows the deployment it was created on.
	private void chargeRuns(CallerIdentity caller, @Nullable String priorityClass, CallUsage usage) {
		for (ObjectUsage ended : usage.endedObjects()) {
			this.settlement.chargeEnded(caller, priorityClass, ended.id(), ended.usage(), this.clock.instant());
		}
	}

}
