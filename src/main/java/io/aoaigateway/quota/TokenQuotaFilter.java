package io.aoaigateway.quota;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.aoaigateway.auth.CallerIdentity;
import io.aoaigateway.observability.GatewayMeters;
import io.aoaigateway.quota.QuotaPolicies.AppliedWindow;
import io.aoaigateway.routing.RouteTarget;
import io.aoaigateway.state.StateProperties.FailurePolicy;
import io.aoaigateway.state.StateStoreMonitor;
import io.aoaigateway.support.AzureError;
import io.aoaigateway.support.GatewayAttributes;
import io.aoaigateway.support.GatewayErrors;
import io.aoaigateway.usage.CallUsage;
import io.aoaigateway.usage.MeteredCall;
import io.aoaigateway.usage.RunUsage;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
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
 * the reservation with the real usage. Also adds the caller's pseudonymous {@code user}
 * and, for chat streams, asks the backend for the usage chunk the client did not ask for
 * (and has it removed again before the client sees it).
 */
final class TokenQuotaFilter implements GlobalFilter, Ordered {

	/** After the route has resolved the deployment, before a backend is chosen. */
	static final int ORDER = 100;

	private static final Log logger = LogFactory.getLog(TokenQuotaFilter.class);

	// Runs can be polled long after they end; remember which were charged for a month.
	private static final Duration RUN_MEMORY = Duration.ofDays(31);

	private final QuotaPolicies policies;

	private final QuotaLedger ledger;

	private final QuotaProperties properties;

	private final CallerPseudonym pseudonym;

	private final StateStoreMonitor monitor;

	private final Clock clock;

	private final GatewayMeters meters;

	TokenQuotaFilter(QuotaProperties properties, QuotaLedger ledger, StateStoreMonitor monitor, Clock clock,
			GatewayMeters meters) {
		this.policies = new QuotaPolicies(properties.policies());
		this.properties = properties;
		this.ledger = ledger;
		this.pseudonym = new CallerPseudonym(properties.pseudonymKey());
		this.monitor = monitor;
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
		return this.monitor
			.observe("quota.reserve",
					this.ledger.reserve(reservation.id(), estimate.total(), reservation.windows(), now,
							this.properties.reservationTtl()))
			.<Mono<Void>>map((decision) -> decision.admitted() ? admitted(exchange, chain, call, reservation, decision)
					: QuotaAnswers.rejected(exchange.getResponse(), applied, decision, estimate.total(), now,
							this.meters))
			.onErrorResume((ex) -> Mono.just(storeFailed(exchange, chain, ex)))
			.flatMap((next) -> next);
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
			Reservation reservation, QuotaDecision decision) {
		this.meters.quota("admitted");
		QuotaAnswers.addRemainingHeaders(exchange.getResponse(), decision.windows());
		call.onFinish((usage) -> settle(reservation, usage));
		return chain.filter(exchange);
	}

	private Mono<Void> storeFailed(ServerWebExchange exchange, GatewayFilterChain chain, Throwable error) {
		if (this.monitor.policy() == FailurePolicy.FAIL_OPEN) {
			this.meters.quota("unmetered");
			return chain.filter(exchange);
		}
		this.meters.quota("refused_store_down");
		exchange.getResponse().getHeaders().set(HttpHeaders.RETRY_AFTER, "1");
		return GatewayErrors.write(exchange, AzureError.of(HttpStatus.SERVICE_UNAVAILABLE,
				"The gateway cannot check your token quota right now; try again shortly."));
	}

	private void settle(Reservation reservation, CallUsage usage) {
		long charge = charge(reservation, usage);
		this.monitor
			.observe("quota.settle",
					this.ledger.settle(reservation.id(), reservation.estimate().total(), charge, reservation.windows(),
							this.clock.instant()))
			.doOnError((ex) -> logger.warn("Could not charge " + charge + " tokens for a call; its reservation of "
					+ reservation.estimate().total() + " expires on its own"))
			.onErrorComplete()
			.subscribe();
	}

	/**
	 * What a call is charged: the usage the backend reported; else nothing when the
	 * backend refused it or could not be reached; else an estimate, so that a call the
	 * client or the backend cut short is never free.
	 */
	static long charge(Reservation reservation, CallUsage usage) {
		if (reservation.operation() == MeteredOperation.RUN) {
			return 0;
		}
		if (usage.reported() != null) {
			return usage.reported().totalTokens();
		}
		if (usage.status() == null) {
			// Cut before any answer: a client that left may still have cost the whole
			// call.
			return usage.cancelled() ? reservation.estimate().total() : 0;
		}
		if (!usage.succeeded()) {
			return 0;
		}
		if (usage.streamed()) {
			return reservation.estimate().input() + TokenEstimate.outputOf(usage.generatedCharacters());
		}
		return reservation.estimate().total();
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
			this.monitor
				.observe("quota.charge-run",
						this.ledger.chargeOnce("run:" + run.runId(), run.usage().totalTokens(), windows, now,
								RUN_MEMORY))
				.onErrorComplete()
				.subscribe();
		}
	}

	/**
	 * A call's reservation.
	 *
	 * @param id the reservation id
	 * @param estimate what was reserved
	 * @param operation the kind of call
	 * @param applied the windows it was reserved in
	 */
	record Reservation(String id, TokenEstimate estimate, MeteredOperation operation, List<AppliedWindow> applied) {

		List<QuotaWindow> windows() {
			return this.applied.stream().map(AppliedWindow::window).toList();
		}

	}

}
