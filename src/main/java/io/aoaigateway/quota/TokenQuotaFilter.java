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
import io.aoaigateway.routing.RouteTarget;
import io.aoaigateway.quota.QuotaGate.Admission;
import io.aoaigateway.quota.QuotaGate.Outcome;
import io.aoaigateway.support.AzureError;
import io.aoaigateway.support.GatewayAttributes;
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
import org.springframework.http.server.reactive.ServerHttpRequest;
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
		CallerIdentity caller = exchange.getAttribute(GatewayAttributes.CALLER);
		RouteTarget target = exchange.getAttribute(GatewayAttributes.ROUTE_TARGET);
		MeteredCall call = exchange.getAttribute(GatewayAttributes.METERED_CALL);
		if (caller == null || target == null || call == null) {
			return chain.filter(exchange);
		}
		ServerHttpRequest request = exchange.getRequest();
		MeteredOperation operation = MeteredOperation.of(target.family(), request.getMethod(),
				request.getPath().value());
		byte[] body = exchange.getAttribute(GatewayAttributes.REQUEST_BODY);
		RequestFacts facts = (body != null && operation != MeteredOperation.NONE) ? RequestFacts.read(body)
				: RequestFacts.NONE;
		if (body != null) {
			amend(exchange, operation, facts, body, caller, call);
		}
		if (this.policies.isEmpty()) {
			return chain.filter(exchange);
		}
		call.onFinish((usage) -> chargeRuns(caller, usage));
		Instant now = this.clock.instant();
		List<AppliedWindow> applied = this.policies.windows(caller, target.deployment(), now);
		if (operation == MeteredOperation.NONE || applied.isEmpty()) {
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

	private void amend(ServerWebExchange exchange, MeteredOperation operation, RequestFacts facts, byte[] body,
			CallerIdentity caller, MeteredCall call) {
		String user = (this.properties.stampUser() && operation.acceptsUser()) ? this.pseudonym.of(caller) : null;
		// stream_options is documented for chat only, and never for AI Model Inference.
		boolean includeUsage = operation == MeteredOperation.CHAT && facts.stream() && !facts.includeUsage()
				&& !exchange.getRequest().getPath().value().contains("/extensions/");
		byte[] amended = RequestAmendments.amend(body, facts, user, includeUsage);
		if (amended != body) {
			exchange.getAttributes().put(GatewayAttributes.REQUEST_BODY, amended);
		}
		if (includeUsage) {
			call.removeInjectedUsage();
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
