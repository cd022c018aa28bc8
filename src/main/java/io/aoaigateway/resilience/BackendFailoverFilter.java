package io.aoaigateway.resilience;

import java.net.ConnectException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;

import io.aoaigateway.auth.CallerIdentity;
import io.aoaigateway.observability.GatewayMeters;
import io.aoaigateway.priority.PriorityClass;
import io.aoaigateway.priority.PriorityClasses;
import io.aoaigateway.resilience.FailoverPolicy.Step;
import io.aoaigateway.routing.BackendDeployment;
import io.aoaigateway.routing.GatewayCall;
import io.aoaigateway.routing.RouteTarget;
import io.aoaigateway.state.StateStoreMonitor;
import io.aoaigateway.support.AzureError;
import io.aoaigateway.support.GatewayErrors;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.http.client.HttpClientResponse;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;

/**
 * Runs a call's attempts as the {@link FailoverPolicy} decides: each attempt goes to the
 * backend the policy chose, bounded by the attempt's timeout; a throttled (429) or failed
 * (5xx, refused connection, no headers in time) attempt is discarded and the call moves
 * on, as long as no byte of an answer has reached the client. This filter does the I/O
 * the policy cannot: reading and writing the shared cooldowns, waiting, discarding an
 * answer, waiting for capacity in the {@link AdmissionQueue} when the call's priority
 * class may wait, writing the one 429 when nothing can serve in time.
 */
final class BackendFailoverFilter implements GlobalFilter, Ordered {

	/** After quotas (one reservation per call, not per attempt), before routing. */
	static final int ORDER = 1000;

	private final FailoverPolicy policy;

	private final CooldownStore cooldowns;

	private final StateStoreMonitor monitor;

	private final Clock clock;

	private final GatewayMeters meters;

	private final AttemptTimeouts timeouts;

	private final PriorityClasses priorities;

	private final AdmissionQueue queue;

	private final String waitHeader;

	BackendFailoverFilter(FailoverProperties properties, FailoverPolicy policy, CooldownStore cooldowns,
			StateStoreMonitor monitor, Clock clock, GatewayMeters meters, PriorityClasses priorities,
			AdmissionQueue queue, String priorityHeader) {
		this.policy = policy;
		this.cooldowns = cooldowns;
		this.monitor = monitor;
		this.clock = clock;
		this.meters = meters;
		this.timeouts = new AttemptTimeouts(properties.attemptTimeout(), properties.generationTimeout());
		this.priorities = priorities;
		this.queue = queue;
		this.waitHeader = priorityHeader + "-wait-ms";
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		GatewayCall call = exchange.getRequiredAttribute(GatewayCall.ATTRIBUTE);
		RouteTarget target = call.target();
		if (target == null) {
			return chain.filter(exchange);
		}
		Duration timeout = this.timeouts.of(exchange.getRequest().getMethod(), target, call.facts());
		FailoverCall failover = new FailoverCall(call.candidates(), call.attempts(), this.clock.instant(), timeout,
				target.stateful(), call.hasBody() || bodiless(exchange), this.priorities.of(call.priorityClass()));
		return attempt(exchange, chain, call, failover);
	}

	private Mono<Void> attempt(ServerWebExchange exchange, GatewayFilterChain chain, GatewayCall call,
			FailoverCall failover) {
		Instant now = this.clock.instant();
		return cooling(failover, now).flatMap((cooling) -> {
			Step step = this.policy.next(failover, cooling, now);
			return switch (step.kind()) {
				case SEND -> sendTo(exchange, chain, call, failover, step.backend());
				case ALL_THROTTLED -> throttled(exchange, chain, call, failover);
				default -> GatewayErrors.write(exchange,
						AzureError.of(HttpStatus.SERVICE_UNAVAILABLE, "No backend is available for this call."));
			};
		});
	}

	private Mono<Void> sendTo(ServerWebExchange exchange, GatewayFilterChain chain, GatewayCall call,
			FailoverCall failover, BackendDeployment backend) {
		failover.start(backend);
		long start = System.nanoTime();
		return send(exchange, chain, failover)
			.then(Mono.defer(() -> answered(exchange, chain, call, failover, backend, waited(call, start))))
			.onErrorResume((ex) -> failed(exchange, chain, call, failover, backend, waited(call, start), ex));
	}

	// One attempt, to the backend's response headers (the chain ends there; the body is
	// written later by NettyWriteResponseFilter). Timing out cancels the attempt, which
	// closes its connection; the error is the one Spring Cloud Gateway's own
	// response-timeout raises.
	private static Mono<Void> send(ServerWebExchange exchange, GatewayFilterChain chain, FailoverCall failover) {
		Duration timeout = failover.timeout();
		return chain.filter(exchange)
			.timeout(timeout, Mono.error(() -> new ResponseStatusException(HttpStatus.GATEWAY_TIMEOUT,
					"No response headers from the backend within " + timeout)));
	}

	// Time waiting for the backend, which the gateway's overhead excludes.
	private static long waited(GatewayCall call, long start) {
		long nanos = System.nanoTime() - start;
		call.attempts().waited(nanos);
		return nanos;
	}

	private Mono<Void> answered(ServerWebExchange exchange, GatewayFilterChain chain, GatewayCall call,
			FailoverCall failover, BackendDeployment selected, long nanos) {
		HttpStatusCode status = exchange.getResponse().getStatusCode();
		if (status == null || exchange.getResponse().isCommitted()) {
			failover.releaseUnusedPermits(selected, this.policy.breakers());
			return Mono.empty();
		}
		Instant now = this.clock.instant();
		Step step = this.policy.answered(failover, selected, status.value(), backendHeaders(exchange), nanos, now);
		Mono<Void> cooled = Mono.empty();
		if (step.coolUntil() != null) {
			this.meters.cooldown(FailoverPolicy.name(selected));
			cooled = coolDown(FailoverPolicy.key(selected), step.coolUntil(), now);
		}
		return cooled.then(Mono.defer(() -> switch (step.kind()) {
			case NEXT -> next(exchange, chain, call, failover, step.reason(), selected);
			case WAIT_FOR_OWNER -> retryOwnerAfter(exchange, chain, call, failover, selected, step.pause());
			case ALL_THROTTLED -> throttled(exchange, chain, call, failover);
			case CREDENTIAL_REJECTED -> credentialRejected(exchange, chain, call, failover, selected);
			default -> Mono.empty();
		}));
	}

	// The backend refused the gateway's key or token (401): a token is renewed (once per
	// token, whatever number of calls were refused with it) and the call asks the same
	// backend again, once; otherwise, or if it is refused again, the call moves on as
	// from a dead backend. The caller never sees the backend's 401, which would read as
	// a problem with the caller's own token.
	private Mono<Void> credentialRejected(ServerWebExchange exchange, GatewayFilterChain chain, GatewayCall call,
			FailoverCall failover, BackendDeployment selected) {
		HttpHeaders sent = sentHeaders(exchange);
		discard(exchange, call);
		return selected.backend().credential().renewAfterRejection(sent).flatMap((renewed) -> {
			Step step = this.policy.credentialRejected(failover, renewed, this.clock.instant());
			return switch (step.kind()) {
				case RETRY_SAME -> sendTo(exchange, chain, call, failover, selected);
				case NEXT -> {
					this.meters.failover(step.reason(), FailoverPolicy.name(selected));
					yield attempt(exchange, chain, call, failover);
				}
				default -> GatewayErrors.write(exchange, AzureError.of(HttpStatus.SERVICE_UNAVAILABLE,
						"No backend is available for this call: the backend refused the gateway's credentials."));
			};
		});
	}

	private Mono<Void> failed(ServerWebExchange exchange, GatewayFilterChain chain, GatewayCall call,
			FailoverCall failover, BackendDeployment selected, long nanos, Throwable error) {
		if (exchange.getResponse().isCommitted()) {
			failover.releaseUnusedPermits(selected, this.policy.breakers());
			return Mono.error(error);
		}
		boolean refused = error instanceof ConnectException || error.getCause() instanceof ConnectException;
		boolean timedOut = error instanceof TimeoutException || error.getCause() instanceof TimeoutException
				|| (error instanceof ResponseStatusException status
						&& status.getStatusCode().value() == HttpStatus.GATEWAY_TIMEOUT.value());
		Step step = this.policy.failed(failover, selected, refused, timedOut, nanos, error, this.clock.instant());
		if (step.kind() == Step.Kind.NEXT) {
			return next(exchange, chain, call, failover, step.reason(), selected);
		}
		return Mono.error(error);
	}

	// Stateful objects live on one backend: it is asked again after its back-off, never
	// replaced; its answer then goes to the caller whatever it is.
	private Mono<Void> retryOwnerAfter(ServerWebExchange exchange, GatewayFilterChain chain, GatewayCall call,
			FailoverCall failover, BackendDeployment owner, Duration wait) {
		discard(exchange, call);
		return Mono.delay(wait).then(Mono.defer(() -> {
			failover.start(owner);
			return send(exchange, chain, failover);
		}));
	}

	private Mono<Void> next(ServerWebExchange exchange, GatewayFilterChain chain, GatewayCall call,
			FailoverCall failover, String reason, BackendDeployment failed) {
		this.meters.failover(reason, FailoverPolicy.name(failed));
		discard(exchange, call);
		return attempt(exchange, chain, call, failover);
	}

	// Nothing can serve now. A call whose class may wait, and which something is expected
	// to serve within its wait, waits in the queue and then starts afresh; any other gets
	// one 429, with the moment something is expected to serve it.
	private Mono<Void> throttled(ServerWebExchange exchange, GatewayFilterChain chain, GatewayCall call,
			FailoverCall failover) {
		Instant now = this.clock.instant();
		return cooling(failover, now).flatMap((cooling) -> {
			Instant open = this.policy.availableAt(failover, cooling, now);
			PriorityClass priority = failover.priority();
			if (!priority.queues()) {
				return refuse(exchange, call, failover, cooling, open, now, "no_wait");
			}
			if (open.isAfter(failover.started().plus(priority.maxWait()))) {
				return refuse(exchange, call, failover, cooling, open, now, "wait_budget");
			}
			AdmissionQueue.Waiter waiter = this.queue.enter(line(call), priority, callerOf(call), open);
			if (waiter == null) {
				return refuse(exchange, call, failover, cooling, open, now, "queue_full");
			}
			discard(exchange, call);
			long start = System.nanoTime();
			return waiter.released()
				.doOnCancel(() -> this.meters.admissionWait(priority.name(), "cancelled",
						Duration.ofNanos(System.nanoTime() - start)))
				.then(Mono.defer(() -> {
					long waited = System.nanoTime() - start;
					this.meters.admissionWait(priority.name(), "released", Duration.ofNanos(waited));
					failover.waitedForCapacity(waited);
					exchange.getResponse()
						.getHeaders()
						.set(this.waitHeader, Long.toString(failover.queuedNanos() / 1_000_000));
					return attempt(exchange, chain, call, failover);
				}));
		});
	}

	// One 429, with the moment something is expected to serve the call.
	private Mono<Void> refuse(ServerWebExchange exchange, GatewayCall call, FailoverCall failover,
			Map<String, Instant> cooling, Instant open, Instant now, String reason) {
		RouteTarget target = call.target();
		PriorityClass priority = failover.priority();
		// Capacity kept for higher classes is the classes working as configured, not
		// every backend throttled.
		if (!cooling.isEmpty() || priority.floor() <= 0) {
			this.meters.allThrottled(target.family().tag());
		}
		if (priority != PriorityClass.NONE) {
			this.meters.priorityRefusal(priority.name(), reason);
		}
		long millis = Math.max(1, Duration.between(now, open).toMillis());
		long seconds = Math.max(1, (millis + 999) / 1000);
		discard(exchange, call);
		exchange.getResponse().getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
		exchange.getResponse().getHeaders().set("retry-after-ms", Long.toString(millis));
		String deployment = (target.deployment() != null) ? "'" + target.deployment() + "'" : "this call";
		String message;
		if (reason.equals("queue_full")) {
			message = "Every backend that serves " + deployment + " is busy and too many " + priority.name()
					+ " calls are waiting already; try again in " + seconds + " seconds.";
		}
		else if (cooling.isEmpty() && priority.floor() > 0) {
			message = "The capacity left for " + deployment + " is kept for calls of a higher priority than "
					+ priority.name() + "; try again in " + seconds + " seconds.";
		}
		else {
			message = "Every backend that serves " + deployment + " is throttled; try again in " + seconds
					+ " seconds.";
		}
		return GatewayErrors.write(exchange, new AzureError(HttpStatus.TOO_MANY_REQUESTS, "429", message));
	}

	// Calls wait for their deployment's backends.
	private static String line(GatewayCall call) {
		RouteTarget target = call.target();
		return (target != null && target.deployment() != null) ? target.deployment() : "";
	}

	private static String callerOf(GatewayCall call) {
		CallerIdentity caller = call.caller();
		return (caller != null) ? caller.id() : "";
	}

	private Mono<Map<String, Instant>> cooling(FailoverCall failover, Instant now) {
		List<BackendDeployment> candidates = failover.candidates().backends();
		List<String> keys = new ArrayList<>(candidates.size());
		for (BackendDeployment candidate : candidates) {
			keys.add(FailoverPolicy.key(candidate));
		}
		// Without cooldowns the pool is still served; a 429 just costs one more try.
		return this.monitor.observe("cooldown.read", this.cooldowns.cooling(keys, now)).onErrorReturn(Map.of());
	}

	private Mono<Void> coolDown(String key, Instant until, Instant now) {
		return this.monitor.observe("cooldown.write", this.cooldowns.coolDown(key, until, now)).onErrorComplete();
	}

	// The failed attempt's answer never reaches the client: its connection is closed and
	// the headers it added are taken back. NettyRoutingFilter also took the server's
	// "Transfer-Encoding: chunked" away for an answer with a Content-Length: without it
	// the next answer would go out close-delimited ("Connection: close"), and a stream
	// cut short (idle timeout, backend gone) would look complete to the client.
	private static void discard(ServerWebExchange exchange, GatewayCall call) {
		Connection connection = exchange.getAttribute(ServerWebExchangeUtils.CLIENT_RESPONSE_CONN_ATTR);
		if (connection != null) {
			connection.dispose();
		}
		exchange.getAttributes().remove(ServerWebExchangeUtils.CLIENT_RESPONSE_CONN_ATTR);
		exchange.getAttributes().remove(ServerWebExchangeUtils.CLIENT_RESPONSE_ATTR);
		ServerWebExchangeUtils.reset(exchange);
		call.attempts().discard();
		exchange.getResponse().setStatusCode(null);
		HttpHeaders headers = exchange.getResponse().getHeaders();
		if (!headers.containsHeader(HttpHeaders.CONTENT_LENGTH)
				&& !headers.containsHeader(HttpHeaders.TRANSFER_ENCODING)) {
			headers.set(HttpHeaders.TRANSFER_ENCODING, "chunked");
		}
	}

	// The headers the attempt sent, with the credential the backend saw.
	private static HttpHeaders sentHeaders(ServerWebExchange exchange) {
		HttpClientResponse response = exchange.getAttribute(ServerWebExchangeUtils.CLIENT_RESPONSE_ATTR);
		HttpHeaders headers = new HttpHeaders();
		if (response != null) {
			response.requestHeaders().forEach((entry) -> headers.add(entry.getKey(), entry.getValue()));
		}
		return headers;
	}

	// The backend's own headers, before the gateway's header filters took some out.
	private static HttpHeaders backendHeaders(ServerWebExchange exchange) {
		HttpClientResponse response = exchange.getAttribute(ServerWebExchangeUtils.CLIENT_RESPONSE_ATTR);
		HttpHeaders headers = new HttpHeaders();
		if (response != null) {
			response.responseHeaders().forEach((entry) -> headers.add(entry.getKey(), entry.getValue()));
		}
		return headers;
	}

	// A call without a body can be sent again; a streamed body (multipart audio) cannot.
	private static boolean bodiless(ServerWebExchange exchange) {
		HttpHeaders headers = exchange.getRequest().getHeaders();
		HttpMethod method = exchange.getRequest().getMethod();
		return (HttpMethod.GET.equals(method) || HttpMethod.DELETE.equals(method) || HttpMethod.HEAD.equals(method))
				&& headers.getContentLength() <= 0 && !headers.containsHeader(HttpHeaders.TRANSFER_ENCODING);
	}

}
