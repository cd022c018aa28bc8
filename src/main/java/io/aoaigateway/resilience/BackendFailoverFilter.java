package io.aoaigateway.resilience;

import java.net.ConnectException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import io.aoaigateway.observability.GatewayMeters;
import io.aoaigateway.routing.BackendDeployment;
import io.aoaigateway.routing.RouteTarget;
import io.aoaigateway.routing.RouteTarget.DeploymentSource;
import io.aoaigateway.state.StateStoreMonitor;
import io.aoaigateway.support.AzureError;
import io.aoaigateway.support.GatewayAttributes;
import io.aoaigateway.support.GatewayErrors;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.jspecify.annotations.Nullable;
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
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;

/**
 * Sends a call that a backend throttled (429) or failed (5xx, refused connection, no
 * response headers within the attempt's timeout) to the next backend that can serve it,
 * with the same body, as long as no byte of an answer has reached the client. Deployments
 * that answered 429 are skipped until their {@code retry-after} (at most
 * {@code aoai.failover.max-cooldown}), by every replica (the {@link CooldownStore});
 * backends whose circuit is open are skipped too. When nothing can serve, the caller gets
 * one 429 saying when the first backend recovers.
 */
final class BackendFailoverFilter implements GlobalFilter, Ordered {

	/** After quotas (one reservation per call, not per attempt), before routing. */
	static final int ORDER = 1000;

	private static final Set<Integer> RETRYABLE_STATUSES = Set.of(429, 500, 502, 503, 504);

	private final FailoverProperties properties;

	private final CooldownStore cooldowns;

	private final BackendCircuitBreakers breakers;

	private final BackendCapacity capacity;

	private final StateStoreMonitor monitor;

	private final Clock clock;

	private final GatewayMeters meters;

	private final AttemptTimeouts timeouts;

	BackendFailoverFilter(FailoverProperties properties, CooldownStore cooldowns, BackendCircuitBreakers breakers,
			BackendCapacity capacity, StateStoreMonitor monitor, Clock clock, GatewayMeters meters) {
		this.properties = properties;
		this.cooldowns = cooldowns;
		this.breakers = breakers;
		this.capacity = capacity;
		this.monitor = monitor;
		this.clock = clock;
		this.meters = meters;
		this.timeouts = new AttemptTimeouts(properties.attemptTimeout(), properties.generationTimeout());
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		RouteTarget target = exchange.getAttribute(GatewayAttributes.ROUTE_TARGET);
		if (target == null) {
			return chain.filter(exchange);
		}
		ServerHttpRequest request = exchange.getRequest();
		Duration timeout = this.timeouts.of(request.getMethod(), request.getPath().pathWithinApplication().value(),
				target.source(), exchange.getAttribute(GatewayAttributes.REQUEST_BODY));
		return attempt(new Call(exchange, chain, target, this.clock.instant(), timeout, new HashSet<>()), 1);
	}

	private Mono<Void> attempt(Call call, int number) {
		Instant now = this.clock.instant();
		return cooling(call.target(), now).flatMap((cooling) -> {
			Set<String> attempted = call.attempted();
			Set<String> unavailable = unavailable(call, cooling, attempted, now);
			boolean someoneLeft = call.target()
				.candidates()
				.stream()
				.anyMatch(
						(candidate) -> !attempted.contains(name(candidate)) && !unavailable.contains(name(candidate)));
			if (!someoneLeft && !cooling.isEmpty()) {
				return allThrottled(call, now);
			}
			call.exchange().getAttributes().put(GatewayAttributes.UNAVAILABLE_BACKENDS, unavailable);
			long start = System.nanoTime();
			return send(call).then(Mono.defer(() -> answered(call, number, waited(call, start))))
				.onErrorResume((ex) -> failed(call, number, waited(call, start), ex));
		});
	}

	// One attempt, to the backend's response headers (the chain ends there; the body is
	// written later by NettyWriteResponseFilter). Timing out cancels the attempt, which
	// closes its connection; the error is the one Spring Cloud Gateway's own
	// response-timeout raises.
	private static Mono<Void> send(Call call) {
		Duration timeout = call.timeout();
		return call.chain()
			.filter(call.exchange())
			.timeout(timeout, Mono.error(() -> new ResponseStatusException(HttpStatus.GATEWAY_TIMEOUT,
					"No response headers from the backend within " + timeout)));
	}

	// Time waiting for the backend, which the gateway's overhead excludes.
	private static long waited(Call call, long start) {
		long nanos = System.nanoTime() - start;
		AtomicLong total = call.exchange().getAttribute(GatewayAttributes.BACKEND_NANOS);
		if (total != null) {
			total.addAndGet(nanos);
		}
		return nanos;
	}

	private Mono<Void> answered(Call call, int number, long nanos) {
		ServerWebExchange exchange = call.exchange();
		BackendDeployment selected = exchange.getAttribute(GatewayAttributes.SELECTED_BACKEND);
		releaseUnusedPermits(call, selected);
		HttpStatusCode status = exchange.getResponse().getStatusCode();
		if (selected == null || status == null || exchange.getResponse().isCommitted()) {
			return Mono.empty();
		}
		Instant now = this.clock.instant();
		HttpHeaders backendHeaders = backendHeaders(exchange);
		if (status.is2xxSuccessful()) {
			// A 429 says when to come back through its cooldown; its counters would only
			// keep the deployment out for longer.
			this.capacity.record(key(selected), backendHeaders, now);
		}
		CircuitBreaker breaker = this.breakers.of(name(selected));
		if (status.is5xxServerError()) {
			breaker.onError(nanos, TimeUnit.NANOSECONDS, new ResponseStatusException(status));
		}
		else {
			breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
		}
		if (!RETRYABLE_STATUSES.contains(status.value())) {
			return Mono.empty();
		}
		if (status.value() != 429) {
			return canFailOver(call, number) && untriedLeft(call) ? next(call, number, "server_error", selected)
					: Mono.empty();
		}
		Duration wait = RetryAfter.cooldown(backendHeaders, now, this.properties.defaultCooldown(),
				this.properties.maxCooldown());
		this.meters.cooldown(name(selected));
		return coolDown(key(selected), now.plus(wait), now).then(Mono.defer(() -> {
			if (call.target().pinned()) {
				return retryOwnerAfter(call, number, selected, wait);
			}
			return canFailOver(call, number) && untriedLeft(call) ? next(call, number, "throttled", selected)
					: allThrottled(call, this.clock.instant());
		}));
	}

	private Mono<Void> failed(Call call, int number, long nanos, Throwable error) {
		ServerWebExchange exchange = call.exchange();
		BackendDeployment selected = exchange.getAttribute(GatewayAttributes.SELECTED_BACKEND);
		releaseUnusedPermits(call, selected);
		if (selected == null || exchange.getResponse().isCommitted()) {
			return Mono.error(error);
		}
		boolean refused = error instanceof ConnectException || error.getCause() instanceof ConnectException;
		boolean timedOut = error instanceof TimeoutException || error.getCause() instanceof TimeoutException
				|| (error instanceof ResponseStatusException status
						&& status.getStatusCode().value() == HttpStatus.GATEWAY_TIMEOUT.value());
		if (refused || timedOut) {
			this.breakers.of(name(selected)).onError(nanos, TimeUnit.NANOSECONDS, error);
		}
		// A call that timed out may have been done: only calls that create nothing twice
		// are sent again (stateless inference; never a create on a stateful API).
		boolean safe = refused || (timedOut && call.target().source() != DeploymentSource.NONE);
		if (safe && canFailOver(call, number) && untriedLeft(call)) {
			return next(call, number, refused ? "connect" : "timeout", selected);
		}
		return Mono.error(error);
	}

	// Stateful objects live on one backend: it may be asked again after its back-off,
	// never replaced.
	private Mono<Void> retryOwnerAfter(Call call, int number, BackendDeployment owner, Duration wait) {
		boolean waitable = wait.compareTo(this.properties.statefulMaxWait()) <= 0
				&& number < this.properties.maxAttempts()
				&& this.clock.instant().plus(wait).isBefore(call.started().plus(this.properties.timeBudget()))
				&& replayable(call.exchange());
		if (!waitable) {
			return Mono.empty();
		}
		discard(call.exchange());
		call.attempted().remove(name(owner));
		// The owner is cooling now because of this very answer: ask it again regardless.
		return Mono.delay(wait).then(Mono.defer(() -> {
			call.exchange().getAttributes().put(GatewayAttributes.UNAVAILABLE_BACKENDS, Set.of());
			return send(call);
		}));
	}

	private Mono<Void> next(Call call, int number, String reason, BackendDeployment failed) {
		this.meters.failover(reason, name(failed));
		discard(call.exchange());
		return attempt(call, number + 1);
	}

	private static boolean untriedLeft(Call call) {
		Set<String> attempted = call.attempted();
		return call.target().candidates().stream().anyMatch((candidate) -> !attempted.contains(name(candidate)));
	}

	private boolean canFailOver(Call call, int number) {
		return !call.target().pinned() && number < this.properties.maxAttempts()
				&& this.clock.instant().isBefore(call.started().plus(this.properties.timeBudget()))
				&& replayable(call.exchange());
	}

	// Nothing can serve: one 429, with the soonest moment a backend recovers.
	private Mono<Void> allThrottled(Call call, Instant now) {
		this.meters.allThrottled(call.target().family());
		return cooling(call.target(), now).flatMap((cooling) -> {
			// Cooldowns shorter than this call may be over already: come back in a
			// second.
			Instant soonest = cooling.values()
				.stream()
				.min(Comparator.naturalOrder())
				.orElse(now.plus(Duration.ofSeconds(1)));
			// Cooldowns another replica wrote under a longer cap promise no more than
			// ours.
			Duration wait = Duration.between(now, soonest);
			if (wait.compareTo(this.properties.maxCooldown()) > 0) {
				wait = this.properties.maxCooldown();
			}
			long millis = Math.max(1, wait.toMillis());
			long seconds = Math.max(1, (millis + 999) / 1000);
			ServerWebExchange exchange = call.exchange();
			discard(exchange);
			exchange.getResponse().getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
			exchange.getResponse().getHeaders().set("retry-after-ms", Long.toString(millis));
			String deployment = (call.target().deployment() != null) ? "'" + call.target().deployment() + "'"
					: "this call";
			return GatewayErrors.write(exchange,
					new AzureError(HttpStatus.TOO_MANY_REQUESTS, "429", "Every backend that serves " + deployment
							+ " is throttled; try again in " + seconds + " seconds."));
		});
	}

	private Set<String> unavailable(Call call, Map<String, Instant> cooling, Set<String> attempted, Instant now) {
		Set<String> hard = new HashSet<>();
		Set<String> soft = new HashSet<>();
		for (BackendDeployment candidate : call.target().candidates()) {
			String name = name(candidate);
			if (attempted.contains(name)) {
				continue;
			}
			if (cooling.containsKey(key(candidate)) || !permitted(call, name)) {
				hard.add(name);
			}
			else if (this.capacity.exhausted(key(candidate), now)) {
				soft.add(name);
			}
		}
		// Capacity is a preference: a backend that reported no room still serves when
		// nobody else can.
		boolean othersLeft = call.target()
			.candidates()
			.stream()
			.map(BackendFailoverFilter::name)
			.anyMatch((name) -> !attempted.contains(name) && !hard.contains(name) && !soft.contains(name));
		if (othersLeft) {
			hard.addAll(soft);
		}
		return hard;
	}

	// Closed: always. Open: only once its wait is over, as one of the half-open probes;
	// the probe's permit is given back if another backend is chosen.
	private boolean permitted(Call call, String backend) {
		CircuitBreaker breaker = this.breakers.of(backend);
		return switch (breaker.getState()) {
			case CLOSED, DISABLED, METRICS_ONLY -> true;
			default -> {
				boolean permitted = breaker.tryAcquirePermission();
				if (permitted) {
					call.permits().add(backend);
				}
				yield permitted;
			}
		};
	}

	private void releaseUnusedPermits(Call call, @Nullable BackendDeployment selected) {
		for (String backend : call.permits()) {
			if (selected == null || !backend.equals(name(selected))) {
				this.breakers.of(backend).releasePermission();
			}
		}
		call.permits().clear();
	}

	private Mono<Map<String, Instant>> cooling(RouteTarget target, Instant now) {
		List<String> keys = target.candidates().stream().map(BackendFailoverFilter::key).toList();
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
	private static void discard(ServerWebExchange exchange) {
		Connection connection = exchange.getAttribute(ServerWebExchangeUtils.CLIENT_RESPONSE_CONN_ATTR);
		if (connection != null) {
			connection.dispose();
		}
		exchange.getAttributes().remove(ServerWebExchangeUtils.CLIENT_RESPONSE_CONN_ATTR);
		exchange.getAttributes().remove(ServerWebExchangeUtils.CLIENT_RESPONSE_ATTR);
		ServerWebExchangeUtils.reset(exchange);
		exchange.getAttributes().remove(GatewayAttributes.SELECTED_BACKEND);
		exchange.getResponse().setStatusCode(null);
		HttpHeaders headers = exchange.getResponse().getHeaders();
		if (!headers.containsHeader(HttpHeaders.CONTENT_LENGTH)
				&& !headers.containsHeader(HttpHeaders.TRANSFER_ENCODING)) {
			headers.set(HttpHeaders.TRANSFER_ENCODING, "chunked");
		}
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

	// A body read into memory can be sent again; a streamed one (multipart audio) cannot.
	private static boolean replayable(ServerWebExchange exchange) {
		if (exchange.getAttribute(GatewayAttributes.REQUEST_BODY) != null) {
			return true;
		}
		HttpHeaders headers = exchange.getRequest().getHeaders();
		HttpMethod method = exchange.getRequest().getMethod();
		return (HttpMethod.GET.equals(method) || HttpMethod.DELETE.equals(method) || HttpMethod.HEAD.equals(method))
				&& headers.getContentLength() <= 0 && !headers.containsHeader(HttpHeaders.TRANSFER_ENCODING);
	}

	static String key(BackendDeployment deployment) {
		return deployment.backend().name() + "/" + deployment.azureName();
	}

	private static String name(BackendDeployment deployment) {
		return deployment.backend().name();
	}

	/**
	 * One call across its attempts.
	 *
	 * @param exchange the exchange
	 * @param chain the rest of the chain, run once per attempt
	 * @param target what the call was resolved to
	 * @param started when the call arrived
	 * @param timeout how long each attempt may wait for response headers
	 * @param permits backends whose half-open circuit gave this attempt a probe permit
	 */
	private record Call(ServerWebExchange exchange, GatewayFilterChain chain, RouteTarget target, Instant started,
			Duration timeout, Set<String> permits) {

		Set<String> attempted() {
			Set<String> attempted = this.exchange.getAttribute(GatewayAttributes.ATTEMPTED_BACKENDS);
			if (attempted == null) {
				attempted = new LinkedHashSet<>();
				this.exchange.getAttributes().put(GatewayAttributes.ATTEMPTED_BACKENDS, attempted);
			}
			return attempted;
		}

	}

}
