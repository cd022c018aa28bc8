package io.aoaigateway.observability;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
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
 * {@code observability/} refer to these names. Each meter is resolved once per tag set
 * and then reused, so that measuring a call allocates nothing for its meters.
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

	/**
	 * Calls that carried a caller key, by outcome ({@code accepted}, {@code unknown},
	 * {@code wrong_secret}, {@code expired}, {@code malformed}, {@code conflict},
	 * {@code throttled}, {@code unavailable}).
	 */
	public static final String CALLER_KEY_AUTH = "aoai.gateway.caller.key.auth";

	/** Seconds since the replica last read its caller keys from their store. */
	public static final String CALLER_KEYS_STALENESS = "aoai.gateway.caller.keys.staleness";

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

	/**
	 * Reads of background responses and runs the gateway charges when they end, by
	 * outcome.
	 */
	public static final String QUOTA_SETTLEMENTS = "aoai.gateway.quota.settlements";

	/** Streams being written to clients now. */
	public static final String ACTIVE_STREAMS = "aoai.gateway.streams.active";

	/** Usage records dropped because the writer fell behind. */
	public static final String USAGE_RECORDS_DROPPED = "aoai.gateway.usage.records.dropped";

	/** Calls waiting for capacity now, by priority class. */
	public static final String ADMISSION_QUEUED = "aoai.gateway.admission.queued";

	/**
	 * Time calls waited for capacity, by priority class and outcome ({@code released}:
	 * tried again; {@code cancelled}: the client left).
	 */
	public static final String ADMISSION_WAIT = "aoai.gateway.admission.wait";

	/**
	 * Calls refused with 429 because nothing could serve them in time, by priority class
	 * and reason ({@code no_wait}: the class does not wait; {@code wait_budget}: no
	 * capacity expected within the class's wait; {@code queue_full}).
	 */
	public static final String PRIORITY_REFUSALS = "aoai.gateway.priority.refusals";

	/**
	 * Cost of the calls' usage, in units of {@code aoai.pricing.currency}, at the prices
	 * of the price catalogue; calls of deployments without a price are not counted.
	 */
	public static final String COST = "aoai.gateway.cost";

	/**
	 * Tag sets each meter name keeps resolved at most. Deployments, backends, statuses
	 * and apps are bounded by configuration and the tenant; user ids are not, so past
	 * this a new tag set is looked up in the registry on each call instead of growing the
	 * cache.
	 */
	static final int MAX_RESOLVED_TAG_SETS = 10_000;

	private final AtomicInteger activeStreams = new AtomicInteger();

	private final Counter usageRecordsDropped;

	private final ResolvedMeters<TokenSummaries> tokens;

	private final ResolvedMeters<TokenSummaries> userTokens;

	private final ResolvedMeters<Timer> operations;

	private final ResolvedMeters<Timer> timesToFirstToken;

	private final ResolvedMeters<Timer> timesPerOutputToken;

	private final ResolvedMeters<Counter> requests;

	private final ResolvedMeters<Timer> overheads;

	private final ResolvedMeters<Counter> failovers;

	private final ResolvedMeters<Counter> allThrottled;

	private final ResolvedMeters<Counter> cooldowns;

	private final ResolvedMeters<Counter> idleTimeouts;

	private final ResolvedMeters<Counter> quotaAdmissions;

	private final ResolvedMeters<Counter> quotaJournal;

	private final ResolvedMeters<Counter> quotaSettlements;

	private final ResolvedMeters<Counter> affinityLookups;

	private final ResolvedMeters<Timer> admissionWaits;

	private final ResolvedMeters<Counter> priorityRefusals;

	private final MeterRegistry registry;

	private final ResolvedMeters<Counter> costs;

	private final ResolvedMeters<Counter> userCosts;

	public GatewayMeters(MeterRegistry registry) {
		this(registry, MAX_RESOLVED_TAG_SETS);
	}

	GatewayMeters(MeterRegistry registry, int maxResolvedTagSets) {
		this.registry = registry;
		Gauge.builder(ACTIVE_STREAMS, this.activeStreams, AtomicInteger::get)
			.description("Streams being written to clients now")
			.register(registry);
		// Present at 0 from the start, so that rates and alerts see the series.
		this.usageRecordsDropped = Counter.builder(USAGE_RECORDS_DROPPED).register(registry);
		int max = maxResolvedTagSets;
		this.tokens = new ResolvedMeters<>(max, (tags) -> new TokenSummaries(registry, tags), "gen_ai.request.model",
				"aoai.backend", "aoai.app");
		this.userTokens = new ResolvedMeters<>(max, (tags) -> new TokenSummaries(registry, tags),
				"gen_ai.request.model", "aoai.backend", "aoai.app", "aoai.user");
		this.operations = new ResolvedMeters<>(max,
				(tags) -> Timer.builder(OPERATION_DURATION).tags(tags).publishPercentileHistogram().register(registry),
				"gen_ai.operation.name", "gen_ai.request.model");
		this.timesToFirstToken = new ResolvedMeters<>(max,
				(tags) -> Timer.builder(TIME_TO_FIRST_TOKEN).tags(tags).publishPercentileHistogram().register(registry),
				"gen_ai.request.model");
		this.timesPerOutputToken = new ResolvedMeters<>(max,
				(tags) -> Timer.builder(TIME_PER_OUTPUT_TOKEN)
					.tags(tags)
					.publishPercentileHistogram()
					.register(registry),
				"gen_ai.request.model");
		this.requests = new ResolvedMeters<>(max, (tags) -> Counter.builder(REQUESTS).tags(tags).register(registry),
				"family", "deployment", "backend", "status");
		this.overheads = new ResolvedMeters<>(max,
				(tags) -> Timer.builder(OVERHEAD)
					.tags(tags)
					.publishPercentileHistogram()
					.minimumExpectedValue(Duration.ofNanos(100_000))
					.maximumExpectedValue(Duration.ofSeconds(1))
					// Exact boundaries for the overhead alert (50 ms) and the dashboards.
					.serviceLevelObjectives(Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10),
							Duration.ofMillis(50))
					.register(registry),
				"family");
		this.failovers = new ResolvedMeters<>(max, (tags) -> Counter.builder(FAILOVERS).tags(tags).register(registry),
				"reason", "backend");
		this.allThrottled = new ResolvedMeters<>(max,
				(tags) -> Counter.builder(ALL_THROTTLED).tags(tags).register(registry), "family");
		this.cooldowns = new ResolvedMeters<>(max, (tags) -> Counter.builder(COOLDOWNS).tags(tags).register(registry),
				"backend");
		this.idleTimeouts = new ResolvedMeters<>(max,
				(tags) -> Counter.builder(IDLE_TIMEOUTS).tags(tags).register(registry), "kind");
		this.quotaAdmissions = new ResolvedMeters<>(max,
				(tags) -> Counter.builder(QUOTA_ADMISSIONS).tags(tags).register(registry), "outcome");
		this.quotaJournal = new ResolvedMeters<>(max,
				(tags) -> Counter.builder(QUOTA_JOURNAL)
					.description("Quota charges the journal queued, replayed to the shared store, or dropped when full")
					.tags(tags)
					.register(registry),
				"outcome");
		this.quotaSettlements = new ResolvedMeters<>(max,
				(tags) -> Counter.builder(QUOTA_SETTLEMENTS)
					.description("Reads of background responses and Assistants runs that the gateway charges "
							+ "when they end, by outcome")
					.tags(tags)
					.register(registry),
				"outcome");
		this.affinityLookups = new ResolvedMeters<>(max,
				(tags) -> Counter.builder(AFFINITY_LOOKUPS).tags(tags).register(registry), "outcome");
		this.costs = new ResolvedMeters<>(max, (tags) -> cost(registry, tags), "gen_ai.request.model", "aoai.backend",
				"aoai.app");
		this.userCosts = new ResolvedMeters<>(max, (tags) -> cost(registry, tags), "gen_ai.request.model",
				"aoai.backend", "aoai.app", "aoai.user");
		this.admissionWaits = new ResolvedMeters<>(max,
				(tags) -> Timer.builder(ADMISSION_WAIT)
					.description("Time calls waited for capacity instead of being refused")
					.tags(tags)
					.publishPercentileHistogram()
					.maximumExpectedValue(Duration.ofMinutes(5))
					.register(registry),
				"class", "outcome");
		this.priorityRefusals = new ResolvedMeters<>(max,
				(tags) -> Counter.builder(PRIORITY_REFUSALS)
					.description("Calls refused with 429 because nothing could serve them within their class's wait")
					.tags(tags)
					.register(registry),
				"class", "reason");
	}

	/**
	 * Publishes how many calls of a class wait for capacity.
	 * @param <T> the queue's type
	 * @param priorityClass the class
	 * @param queue the queue
	 * @param waiting how to read the class's waiting calls
	 */
	public <T> void admissionQueued(String priorityClass, T queue, ToIntFunction<T> waiting) {
		Gauge.builder(ADMISSION_QUEUED, queue, (value) -> waiting.applyAsInt(value))
			.description("Calls waiting for capacity now")
			.tag("class", priorityClass)
			.register(this.registry);
		priorityRefusal(priorityClass, "queue_full", 0);
	}

	public void admissionWait(String priorityClass, String outcome, Duration waited) {
		this.admissionWaits.get(priorityClass, outcome).record(waited);
	}

	public void priorityRefusal(String priorityClass, String reason) {
		priorityRefusal(priorityClass, reason, 1);
	}

	private void priorityRefusal(String priorityClass, String reason, int count) {
		this.priorityRefusals.get(priorityClass, reason).increment(count);
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
		TokenSummaries summaries = (user != null) ? this.userTokens.get(deployment, backend, app, user)
				: this.tokens.get(deployment, backend, app);
		summaries.record(usage);
	}

	public void operation(String operation, String deployment, Duration duration) {
		this.operations.get(operation, deployment).record(duration);
	}

	public void timeToFirstToken(String deployment, Duration duration) {
		this.timesToFirstToken.get(deployment).record(duration);
	}

	public void timePerOutputToken(String deployment, Duration duration) {
		this.timesPerOutputToken.get(deployment).record(duration);
	}

	public void request(String family, String deployment, String backend, String status) {
		this.requests.get(family, deployment, backend, status).increment();
	}

	public void overhead(String family, Duration duration) {
		this.overheads.get(family).record(duration);
	}

	public void failover(String reason, String backend) {
		this.failovers.get(reason, backend).increment();
	}

	public void allThrottled(String family) {
		this.allThrottled.get(family).increment();
	}

	public void cooldown(String backend) {
		this.cooldowns.get(backend).increment();
	}

	public void idleTimeout(String kind) {
		this.idleTimeouts.get(kind).increment();
	}

	public void quota(String outcome) {
		this.quotaAdmissions.get(outcome).increment();
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
		this.quotaJournal.get(outcome).increment(entries);
	}

	/**
	 * Registers the settlement counters at zero, so that the first {@code given_up} is an
	 * increase that alerts can see.
	 */
	public void quotaSettlementsStarted() {
		for (String outcome : new String[] { "charged", "ended_without_usage", "pending", "gone", "failed",
				"given_up" }) {
			this.quotaSettlements.get(outcome);
		}
	}

	/**
	 * Counts a read of an object the gateway charges when it ends.
	 * @param outcome {@code charged}, {@code ended_without_usage}, {@code pending},
	 * {@code gone}, {@code failed} or {@code given_up}
	 */
	public void quotaSettlement(String outcome) {
		this.quotaSettlements.get(outcome).increment();
	}

	public void affinity(String outcome) {
		this.affinityLookups.get(outcome).increment();
	}

	public void usageRecordDropped() {
		this.usageRecordsDropped.increment();
	}

	public void streamStarted() {
		this.activeStreams.incrementAndGet();
	}

	public void streamEnded() {
		this.activeStreams.decrementAndGet();
	}

	/**
	 * Counts the cost of one call's usage, with the tags of its tokens.
	 * @param amount the cost, in currency units
	 * @param deployment the deployment, {@code none} when the call named none
	 * @param backend the backend that answered
	 * @param app the calling application, or {@code unknown}
	 * @param user the caller, only when per-user series are on
	 */
	public void cost(double amount, String deployment, String backend, String app, @Nullable String user) {
		Counter counter = (user != null) ? this.userCosts.get(deployment, backend, app, user)
				: this.costs.get(deployment, backend, app);
		counter.increment(amount);
	}

	private static Counter cost(MeterRegistry registry, Tags tags) {
		return Counter.builder(COST)
			.description("Cost of the calls' usage, in units of aoai.pricing.currency")
			.tags(tags)
			.register(registry);
	}

	/**
	 * How many tag sets are resolved now, summed over every meter name: for tests of the
	 * bound.
	 */
	int resolvedTagSets() {
		int sets = 0;
		for (ResolvedMeters<?> meters : List.of(this.tokens, this.userTokens, this.operations, this.timesToFirstToken,
				this.timesPerOutputToken, this.requests, this.overheads, this.failovers, this.allThrottled,
				this.cooldowns, this.idleTimeouts, this.quotaAdmissions, this.quotaJournal, this.quotaSettlements,
				this.affinityLookups, this.costs, this.userCosts)) {
			sets += meters.size();
		}
		return sets;
	}

	/** The four {@link #TOKEN_USAGE} summaries of one tag set, one per token type. */
	private record TokenSummaries(DistributionSummary input, DistributionSummary output,
			DistributionSummary cachedInput, DistributionSummary reasoning) {

		TokenSummaries(MeterRegistry registry, Tags tags) {
			this(summary(registry, tags, "input"), summary(registry, tags, "output"),
					summary(registry, tags, "cached_input"), summary(registry, tags, "reasoning"));
		}

		void record(TokenUsage usage) {
			this.input.record(usage.inputTokens());
			this.output.record(usage.outputTokens());
			this.cachedInput.record(usage.cachedInputTokens());
			this.reasoning.record(usage.reasoningTokens());
		}

		private static DistributionSummary summary(MeterRegistry registry, Tags tags, String type) {
			return DistributionSummary.builder(TOKEN_USAGE)
				.tags(tags.and("gen_ai.token.type", type))
				.register(registry);
		}

	}

	/**
	 * The meters of one name, resolved once per set of tag values and kept in a tree of
	 * maps with one level per tag key, so that finding a set seen before builds no tags
	 * and allocates nothing. Holds at most {@code max} sets; past that, a new set's meter
	 * is resolved through the registry on every call (which still keeps one meter per
	 * set).
	 *
	 * @param <M> the kind of meter
	 */
	private static final class ResolvedMeters<M> {

		private final Node<M> root = new Node<>(null);

		private final int max;

		private final Function<Tags, M> resolve;

		private final String[] keys;

		private final AtomicInteger size = new AtomicInteger();

		ResolvedMeters(int max, Function<Tags, M> resolve, String... keys) {
			this.max = max;
			this.resolve = resolve;
			this.keys = keys;
		}

		M get(String value) {
			Node<M> leaf = Node.next(this.root, value);
			return (leaf != null && leaf.meter != null) ? leaf.meter : resolve(value);
		}

		M get(String first, String second) {
			Node<M> leaf = Node.next(Node.next(this.root, first), second);
			return (leaf != null && leaf.meter != null) ? leaf.meter : resolve(first, second);
		}

		M get(String first, String second, String third) {
			Node<M> leaf = Node.next(Node.next(Node.next(this.root, first), second), third);
			return (leaf != null && leaf.meter != null) ? leaf.meter : resolve(first, second, third);
		}

		M get(String first, String second, String third, String fourth) {
			Node<M> leaf = Node.next(Node.next(Node.next(Node.next(this.root, first), second), third), fourth);
			return (leaf != null && leaf.meter != null) ? leaf.meter : resolve(first, second, third, fourth);
		}

		int size() {
			return this.size.get();
		}

		private M resolve(String... values) {
			if (values.length != this.keys.length) {
				throw new IllegalArgumentException("Expected values for " + Arrays.toString(this.keys));
			}
			String[] tags = new String[values.length * 2];
			for (int i = 0; i < values.length; i++) {
				tags[2 * i] = this.keys[i];
				tags[2 * i + 1] = values[i];
			}
			if (this.size.get() >= this.max) {
				return this.resolve.apply(Tags.of(tags));
			}
			synchronized (this) {
				Node<M> node = this.root;
				for (int i = 0; i < values.length - 1; i++) {
					node = node.branches().computeIfAbsent(values[i], (value) -> new Node<>(null));
				}
				String last = values[values.length - 1];
				Node<M> leaf = node.branches().get(last);
				if (leaf != null && leaf.meter != null) {
					return leaf.meter;
				}
				M meter = this.resolve.apply(Tags.of(tags));
				// Sets are only added here, under the lock: the bound is exact.
				if (this.size.get() < this.max) {
					node.branches().put(last, new Node<>(meter));
					this.size.incrementAndGet();
				}
				return meter;
			}
		}

	}

	/**
	 * One tag value in a {@link ResolvedMeters} tree: a leaf holds the meter, a branch
	 * the values of the next tag.
	 */
	private static final class Node<M> {

		final @Nullable M meter;

		private volatile @Nullable ConcurrentMap<String, Node<M>> branches;

		Node(@Nullable M meter) {
			this.meter = meter;
		}

		static <M> @Nullable Node<M> next(@Nullable Node<M> node, String value) {
			ConcurrentMap<String, Node<M>> branches = (node != null) ? node.branches : null;
			return (branches != null) ? branches.get(value) : null;
		}

		/** Called only under the tree's lock. */
		ConcurrentMap<String, Node<M>> branches() {
			ConcurrentMap<String, Node<M>> branches = this.branches;
			if (branches == null) {
				branches = new ConcurrentHashMap<>();
				this.branches = branches;
			}
			return branches;
		}

	}

}
