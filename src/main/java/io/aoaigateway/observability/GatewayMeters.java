package io.aoaigateway.observability;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToIntFunction;

import io.aoaigateway.usage.TokenUsage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import org.jspecify.annotations.Nullable;

/**
 * Every meter the gateway publishes, by name and tag key: OpenTelemetry GenAI names where
 * they exist, {@code aoai.gateway.*} for the gateway's own. Dashboards and alerts under
 * {@code observability/} refer to these names.
 */
public final class GatewayMeters {

	/** OTel GenAI: tokens per call, by {@code gen_ai.token.type}. */
	public static final String TOKEN_USAGE = "gen_ai.client.token.usage";

	/** OTel GenAI: duration of a call, to the end of its answer. */
	public static final String OPERATION_DURATION = "gen_ai.client.operation.duration";

	/** OTel GenAI: time from the call to the first event of a stream. */
	public static final String TIME_TO_FIRST_TOKEN = "gen_ai.server.time_to_first_token";

	/** OTel GenAI: time per generated token of a stream, after its first event. */
	public static final String TIME_PER_OUTPUT_TOKEN = "gen_ai.server.time_per_output_token";

	/** 1 while the shared state store fails (see {@code StateStoreMonitor}). */
	public static final String STATE_DEGRADED = "aoai.gateway.state.degraded";

	/** Shared state store operations that failed or timed out, by operation. */
	public static final String STATE_ERRORS = "aoai.gateway.state.errors";

	/**
	 * Shared state store operations not attempted because the store's circuit was open
	 * (also counted in {@link #STATE_ERRORS}), by operation.
	 */
	public static final String STATE_SHORT_CIRCUITED = "aoai.gateway.state.short.circuited";

	/** Calls, by route family, deployment, backend and status. */
	public static final String REQUESTS = "aoai.gateway.requests";

	/** Time a call spends in the gateway itself, backends excluded. */
	public static final String OVERHEAD = "aoai.gateway.overhead";

	/** Attempts handed to another backend, by reason. */
	public static final String FAILOVERS = "aoai.gateway.failovers";

	/** Calls answered 429 because every backend was throttled. */
	public static final String ALL_THROTTLED = "aoai.gateway.all.throttled";

	/** Cooldowns started, by backend. */
	public static final String COOLDOWNS = "aoai.gateway.backend.cooldowns";

	/**
	 * Answers ended because their backend went quiet after the response headers, by kind
	 * ({@code stream} or {@code body}).
	 */
	public static final String IDLE_TIMEOUTS = "aoai.gateway.idle.timeouts";

	/**
	 * Request-body bytes held in memory now, against
	 * {@code aoai.server.max-buffered-bodies}.
	 */
	public static final String BUFFERED_BODY_BYTES = "aoai.gateway.server.buffered.body";

	/** Client connections open now, against {@code aoai.server.max-connections}. */
	public static final String CONNECTIONS = "aoai.gateway.server.connections";

	/** Quota decisions, by outcome. */
	public static final String QUOTA_ADMISSIONS = "aoai.gateway.quota.admissions";

	/** Quota charges waiting in the journal for the shared store. */
	public static final String QUOTA_JOURNAL_SIZE = "aoai.gateway.quota.journal.size";

	/** Quota journal entries, by outcome: queued, replayed, dropped. */
	public static final String QUOTA_JOURNAL = "aoai.gateway.quota.journal";

	/** Lookups of stateful objects' owners, by outcome. */
	public static final String AFFINITY_LOOKUPS = "aoai.gateway.affinity.lookups";

	/** Streams being written to clients now. */
	public static final String ACTIVE_STREAMS = "aoai.gateway.streams.active";

	/** Usage records dropped because the writer fell behind. */
	public static final String USAGE_RECORDS_DROPPED = "aoai.gateway.usage.records.dropped";

	private final MeterRegistry registry;

	private final AtomicInteger activeStreams = new AtomicInteger();

	public GatewayMeters(MeterRegistry registry) {
		this.registry = registry;
		Gauge.builder(ACTIVE_STREAMS, this.activeStreams, AtomicInteger::get)
			.description("Streams being written to clients now")
			.register(registry);
		// Present at 0 from the start, so that rates and alerts see the series.
		Counter.builder(USAGE_RECORDS_DROPPED).register(registry);
	}

	/**
	 * Records the tokens of one call.
	 * @param usage the call's usage
	 * @param deployment the deployment, {@code none} when the call named none
	 * @param backend the backend that answered
	 * @param app the calling application, or {@code unknown}
	 * @param user the caller, only when per-user series are on
	 */
	public void tokens(TokenUsage usage, String deployment, String backend, String app, @Nullable String user) {
		Tags tags = Tags.of("gen_ai.request.model", deployment, "aoai.backend", backend, "aoai.app", app);
		if (user != null) {
			tags = tags.and("aoai.user", user);
		}
		summary(tags.and("gen_ai.token.type", "input"), usage.inputTokens());
		summary(tags.and("gen_ai.token.type", "output"), usage.outputTokens());
		summary(tags.and("gen_ai.token.type", "cached_input"), usage.cachedInputTokens());
		summary(tags.and("gen_ai.token.type", "reasoning"), usage.reasoningTokens());
	}

	public void operation(String operation, String deployment, Duration duration) {
		Timer.builder(OPERATION_DURATION)
			.tags("gen_ai.operation.name", operation, "gen_ai.request.model", deployment)
			.publishPercentileHistogram()
			.register(this.registry)
			.record(duration);
	}

	public void timeToFirstToken(String deployment, Duration duration) {
		Timer.builder(TIME_TO_FIRST_TOKEN)
			.tags("gen_ai.request.model", deployment)
			.publishPercentileHistogram()
			.register(this.registry)
			.record(duration);
	}

	public void timePerOutputToken(String deployment, Duration duration) {
		Timer.builder(TIME_PER_OUTPUT_TOKEN)
			.tags("gen_ai.request.model", deployment)
			.publishPercentileHistogram()
			.register(this.registry)
			.record(duration);
	}

	public void request(String family, String deployment, String backend, String status) {
		Counter.builder(REQUESTS)
			.tags("family", family, "deployment", deployment, "backend", backend, "status", status)
			.register(this.registry)
			.increment();
	}

	public void overhead(String family, Duration duration) {
		Timer.builder(OVERHEAD)
			.tags("family", family)
			.publishPercentileHistogram()
			.minimumExpectedValue(Duration.ofNanos(100_000))
			.maximumExpectedValue(Duration.ofSeconds(1))
			// Exact boundaries for the overhead alert (50 ms) and the dashboards.
			.serviceLevelObjectives(Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10),
					Duration.ofMillis(50))
			.register(this.registry)
			.record(duration);
	}

	public void failover(String reason, String backend) {
		Counter.builder(FAILOVERS).tags("reason", reason, "backend", backend).register(this.registry).increment();
	}

	public void allThrottled(String family) {
		Counter.builder(ALL_THROTTLED).tags("family", family).register(this.registry).increment();
	}

	public void cooldown(String backend) {
		Counter.builder(COOLDOWNS).tags("backend", backend).register(this.registry).increment();
	}

	public void idleTimeout(String kind) {
		Counter.builder(IDLE_TIMEOUTS).tags("kind", kind).register(this.registry).increment();
	}

	public void quota(String outcome) {
		Counter.builder(QUOTA_ADMISSIONS).tags("outcome", outcome).register(this.registry).increment();
	}

	/**
	 * Publishes the size of the quota journal.
	 * @param <T> the journal's type
	 * @param journal the journal
	 * @param size how to read its size
	 */
	public <T> void quotaJournalSize(T journal, ToIntFunction<T> size) {
		Gauge.builder(QUOTA_JOURNAL_SIZE, journal, (value) -> size.applyAsInt(value))
			.description("Quota charges waiting in the journal for the shared store")
			.register(this.registry);
		for (String outcome : new String[] { "queued", "replayed", "dropped" }) {
			quotaJournal(outcome, 0);
		}
	}

	/**
	 * Counts quota journal entries.
	 * @param outcome {@code queued}, {@code replayed} or {@code dropped}
	 * @param entries how many
	 */
	public void quotaJournal(String outcome, long entries) {
		Counter.builder(QUOTA_JOURNAL)
			.description("Quota charges the journal queued, replayed to the shared store, or dropped when full")
			.tags("outcome", outcome)
			.register(this.registry)
			.increment(entries);
	}

	public void affinity(String outcome) {
		Counter.builder(AFFINITY_LOOKUPS).tags("outcome", outcome).register(this.registry).increment();
	}

	public void usageRecordDropped() {
		Counter.builder(USAGE_RECORDS_DROPPED).register(this.registry).increment();
	}

	public void streamStarted() {
		this.activeStreams.incrementAndGet();
	}

	public void streamEnded() {
		this.activeStreams.decrementAndGet();
	}

	private void summary(Tags tags, long tokens) {
		DistributionSummary.builder(TOKEN_USAGE).tags(tags).register(this.registry).record(tokens);
	}

}
