package io.aoaigateway.quota;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

import io.aoaigateway.auth.CallerIdentity;
import io.aoaigateway.observability.GatewayMeters;
import io.aoaigateway.quota.QuotaPolicies.AppliedWindow;
import io.aoaigateway.routing.ApiOperation;
import io.aoaigateway.routing.BodyAmendment;
import io.aoaigateway.routing.GatewayCall;
import io.aoaigateway.routing.RequestFacts;
import io.aoaigateway.routing.RouteTarget;
import io.aoaigateway.quota.QuotaGate.Admission;
import io.aoaigateway.quota.QuotaGate.Outcome;
import io.aoaigateway.support.AzureError;
import io.aoaigateway.support.GatewayErrors;
import io.aoaigateway.usage.CallUsage;
import io.aoaigateway.usage.MeteredCall;
import io.aoaigateway.usage.RunUsage;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ServerWebExchange;

/**
 * Admits a call only if every quota policy of its caller has room for the call's
 * estimate, reserving it atomically in all of them; when the response has ended, replaces
 * the reservation with the real usage. The decisions, and what happens when the shared
 * store fails, are {@link QuotaGate}'s; what a call is charged is {@link CallCharge}'s.
 * Also adds the caller's pseudonymous {@code user} and, for chat streams, asks the
 * backend for the usage chunk the client did not ask for (and has it removed again before
 * the client sees it).
 */
final class TokenQuotaFilter implements GlobalFilter, Ordered {

	/** After the route has resolved the deployment, before a backend is chosen. */
	static final int ORDER = 100;

	// Runs can be polled long after they end; remember which were charged for a month.
	private static final Duration RUN_MEMORY = Duration.ofDays(31);

	private final QuotaPolicies policies;

	private final QuotaGate gate;

	private final QuotaProperties properties;

	private final CallerPseudonym pseudonym;

	private final Clock clock;

	private final GatewayMeters meters;

	TokenQuotaFilter(QuotaProperties properties, QuotaGate gate, Clock clock, GatewayMeters meters) {
		this.policies = new QuotaPolicies(properties.policies());
		this.properties = properties;
		this.gate = gate;
		this.pseudonym = new CallerPseudonym(properties.pseudonymKey());
		this.clock = clock;
		this.meters = meters;
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		GatewayCall gatewayCall = exchange.getRequiredAttribute(GatewayCall.ATTRIBUTE);
		CallerIdentity caller = gatewayCall.caller();
		RouteTarget target = gatewayCall.target();
		if (caller == null || target == null) {
			return chain.filter(exchange);
		}
		MeteredCall call = gatewayCall.metered();
		ApiOperation operation = target.operation();
		byte[] body = gatewayCall.body();
		RequestFacts facts = gatewayCall.facts();
		if (body != null && operation.metered() && facts.valid()) {
			amend(exchange, gatewayCall, operation, facts, caller);
		}
		if (this.policies.isEmpty()) {
			return chain.filter(exchange);
		}
		call.onFinish((usage) -> chargeRuns(caller, usage));
		Instant now = this.clock.instant();
		List<AppliedWindow> applied = this.policies.windows(caller, target.deployment(), now);
		if (!operation.metered() || applied.isEmpty()) {
			return chain.filter(exchange);
		}
		TokenEstimate estimate = TokenEstimate.of(operation, (body != null) ? body.length : 0, facts,
				this.properties.defaultMaxOutputTokens());
		Reservation reservation = new Reservation(UUID.randomUUID().toString(), estimate, operation, applied);
		return this.gate.admit(reservation, now).flatMap((admission) -> switch (admission.outcome()) {
			case ADMITTED, ADMITTED_LOCAL -> admitted(exchange, chain, call, reservation, admission);
			case REFUSED -> QuotaAnswers.rejected(exchange.getResponse(), applied,
					Objects.requireNonNull(admission.decision()), estimate.total(), now, this.meters);
			case STORE_DOWN -> storeDown(exchange);
		});
	}

	// Only what a setting asks for: the user stamp (aoai.quota.stamp-user), and the
	// usage chunk of a chat stream, without which its tokens could not be counted.
	private void amend(ServerWebExchange exchange, GatewayCall call, ApiOperation operation, RequestFacts facts,
			CallerIdentity caller) {
		String user = (this.properties.stampUser() && operation.acceptsUser()) ? this.pseudonym.of(caller) : null;
		// stream_options is documented for chat only, and never for AI Model Inference.
		boolean includeUsage = operation == ApiOperation.CHAT && facts.stream() && !facts.includeUsage()
				&& !exchange.getRequest().getPath().value().contains("/extensions/");
		if (user == null && !includeUsage) {
			return;
		}
		call.amend(new BodyAmendment(user, includeUsage));
		if (includeUsage) {
			call.metered().removeInjectedUsage();
		}
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

	private void chargeRuns(CallerIdentity caller, CallUsage usage) {
		for (RunUsage run : usage.terminalRuns()) {
			Instant now = this.clock.instant();
			List<QuotaWindow> windows = this.policies.windows(caller, null, now)
				.stream()
				.map(AppliedWindow::window)
				.toList();
			if (windows.isEmpty()) {
				return;
			}
			this.gate.chargeRun(run.runId(), run.usage().totalTokens(), windows, now, RUN_MEMORY);
		}
	}

}
