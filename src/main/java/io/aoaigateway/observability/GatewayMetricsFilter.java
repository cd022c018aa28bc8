package io.aoaigateway.observability;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import io.aoaigateway.auth.CallerIdentity;
import io.aoaigateway.pricing.Price;
import io.aoaigateway.pricing.PriceCatalogue;
import io.aoaigateway.routing.BackendDeployment;
import io.aoaigateway.routing.ApiOperation;
import io.aoaigateway.routing.GatewayCall;
import io.aoaigateway.routing.RouteTarget;
import io.aoaigateway.usage.CallUsage;
import io.aoaigateway.usage.MeteredCall;
import io.aoaigateway.usage.RunningObject;
import io.aoaigateway.usage.TokenUsage;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;

/**
 * Measures every call once it has ended, from what the {@link MeteredCall} saw: the
 * request counter, the gateway's own overhead, durations, time to first token, tokens,
 * cost, and the usage record. The cost is at the price in force when the call started.
 */
final class GatewayMetricsFilter implements GlobalFilter, Ordered {

	/** Just inside the usage filter (-2), whose {@link MeteredCall} it listens to. */
	static final int ORDER = -1;

	// The status tags of every HTTP status, made once.
	private static final String[] STATUS_TAGS = new String[600];

	static {
		for (int status = 100; status < STATUS_TAGS.length; status++) {
			STATUS_TAGS[status] = Integer.toString(status);
		}
	}

	private final GatewayMeters meters;

	private final @Nullable UsageRecorder records;

	private final boolean perUser;

	private final PriceCatalogue prices;

	private final Clock clock;

	GatewayMetricsFilter(GatewayMeters meters, @Nullable UsageRecorder records, boolean perUser, PriceCatalogue prices,
			Clock clock) {
		this.meters = meters;
		this.records = records;
		this.perUser = perUser;
		this.prices = prices;
		this.clock = clock;
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		GatewayCall call = exchange.getRequiredAttribute(GatewayCall.ATTRIBUTE);
		long start = System.nanoTime();
		// The price in force when the call started: what the quota charges it at too.
		Instant started = this.clock.instant();
		MeteredCall metered = call.metered();
		metered.onStreamStart(this.meters::streamStarted);
		metered.onFinish((usage) -> measure(exchange, call, usage, start, started));
		return chain.filter(exchange);
	}

	private void measure(ServerWebExchange exchange, GatewayCall gatewayCall, CallUsage usage, long start,
			Instant started) {
		long end = System.nanoTime();
		MeteredCall call = gatewayCall.metered();
		long backendNanos = gatewayCall.attempts().backendNanos();
		if (call.streaming()) {
			this.meters.streamEnded();
		}
		RouteTarget target = gatewayCall.target();
		BackendDeployment selected = gatewayCall.attempts().current();
		CallerIdentity caller = gatewayCall.caller();
		String family = (target != null) ? target.family().tag() : "none";
		String deployment = (target != null && target.deployment() != null) ? target.deployment() : "none";
		String backend = (selected != null) ? selected.backend().name() : "none";
		String status = (usage.status() != null) ? statusTag(usage.status())
				: (usage.cancelled() ? "cancelled" : "error");
		String operation = (target != null) ? target.operation().tag() : ApiOperation.OTHER.tag();
		// A stream's body arrives at the backend's pace: that time is the backend's too.
		long firstChunk = call.firstChunkNanos();
		long streaming = (call.streaming() && firstChunk > 0) ? end - firstChunk : 0;
		this.meters.overhead(family, Duration.ofNanos(Math.max(0, end - start - backendNanos - streaming)));
		this.meters.operation(operation, deployment, Duration.ofNanos(end - start));
		if (call.streaming() && firstChunk > 0) {
			this.meters.timeToFirstToken(deployment, Duration.ofNanos(firstChunk - start));
		}
		String app = (caller != null && caller.appId() != null) ? caller.appId() : "unknown";
		String user = (this.perUser && caller != null) ? caller.id() : null;
		TokenUsage reported = usage.reported();
		Price price = (target != null) ? this.prices.priceOf(target.deployment(), started) : null;
		BigDecimal cost = (reported != null && price != null) ? Price.toCurrency(price.costOf(reported)) : null;
		if (reported != null) {
			this.meters.tokens(reported, deployment, backend, app, user);
			if (cost != null) {
				this.meters.cost(cost.doubleValue(), deployment, backend, app, user);
			}
			if (call.streaming() && firstChunk > 0 && reported.outputTokens() > 1) {
				this.meters.timePerOutputToken(deployment,
						Duration.ofNanos((end - firstChunk) / (reported.outputTokens() - 1)));
			}
		}
		// The tokens of runs and background responses are counted once, when the
		// gateway reads them ended (see ObjectSettlement), not with each call that
		// shows them.
		// Counted last: a scrape that sees the call counted sees all its other measures.
		this.meters.request(family, deployment, backend, status);
		if (this.records != null) {
			this.records.record(record(exchange, usage, caller, family, deployment, backend, status, end - start, cost,
					this.prices.currency()));
		}
	}

	private static Map<String, Object> record(ServerWebExchange exchange, CallUsage usage,
			@Nullable CallerIdentity caller, String family, String deployment, String backend, String status,
			long nanos, @Nullable BigDecimal cost, String currency) {
		Map<String, Object> record = new LinkedHashMap<>();
		record.put("time", Instant.now().toString());
		record.put("requestId", exchange.getRequest().getId());
		String traceparent = exchange.getRequest().getHeaders().getFirst("traceparent");
		if (traceparent != null && traceparent.length() <= 64) {
			record.put("traceparent", traceparent);
		}
		record.put("caller", (caller != null) ? caller.id() : null);
		record.put("app", (caller != null) ? caller.appId() : null);
		record.put("family", family);
		record.put("deployment", deployment);
		record.put("backend", backend);
		record.put("status", status);
		record.put("streamed", usage.streamed());
		TokenUsage tokens = usage.reported();
		record.put("inputTokens", (tokens != null) ? tokens.inputTokens() : null);
		record.put("outputTokens", (tokens != null) ? tokens.outputTokens() : null);
		record.put("cachedInputTokens", (tokens != null) ? tokens.cachedInputTokens() : null);
		record.put("reasoningTokens", (tokens != null) ? tokens.reasoningTokens() : null);
		// The reported usage's cost, null without usage or a price.
		record.put("cost", cost);
		record.put("currency", currency);
		// Where the usage comes from: the answer's own; none (the call is charged an
		// estimate, or nothing if it failed); or runs and background responses, each
		// recorded once with its usage when the gateway reads it ended.
		record.put("usageSource", (tokens != null) ? "reported" : usage.deferred() ? "objects" : "none");
		record.put("objects", usage.runningObjects().stream().map(RunningObject::id).toList());
		record.put("latencyMs", nanos / 1_000_000);
		return record;
	}

	private static String statusTag(int status) {
		return (status >= 100 && status < STATUS_TAGS.length) ? STATUS_TAGS[status] : Integer.toString(status);
	}

}
