package io.aoaigateway.quota;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.aoaigateway.auth.CallerIdentity;
import io.aoaigateway.observability.GatewayMeters;
import io.aoaigateway.observability.UsageRecords;
import io.aoaigateway.pricing.Price;
import io.aoaigateway.routing.Backend;
import io.aoaigateway.state.StateStoreMonitor;
import io.aoaigateway.usage.JsonUsageParser;
import io.aoaigateway.usage.ObjectStates;
import io.aoaigateway.usage.TokenUsage;
import io.aoaigateway.usage.RunningObject;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Charges background responses and Assistants runs once they end, whether or not their
 * caller ever fetches them again: the gateway tracks each one it admitted
 * ({@link TrackedObjects}, shared by the replicas), reads it on the backend that holds it
 * when it is due, with a back-off between reads, and charges its usage once it has ended.
 * A caller who fetches the ended object first charges it the same way; the ledger charges
 * each object once ({@link QuotaLedger#chargeOnce}), so nothing is charged twice.
 * <p>
 * When the shared store cannot take an object, this replica tracks it in memory (lost if
 * the replica stops before the object ends). A read that fails is retried after the
 * back-off; an object still running after {@code give-up-after} is dropped, counted and
 * logged.
 */
final class ObjectSettlement {

	private static final Log logger = LogFactory.getLog(ObjectSettlement.class);

	/** Most objects one replica claims and reads per round. */
	static final int CLAIM_SIZE = 16;

	// Runs can be polled long after they end; remember which were charged for a month.
	private static final Duration CHARGED_MEMORY = Duration.ofDays(31);

	private final TrackedObjects shared;

	private final TrackedObjects local = new InMemoryTrackedObjects();

	private final Map<String, Backend> backends;

	private final WebClient client;

	private final QuotaCharging charging;

	private final QuotaGate gate;

	private final QuotaProperties.Settlement settings;

	private final Clock clock;

	private final GatewayMeters meters;

	private final StateStoreMonitor monitor;

	private final @Nullable UsageRecords records;

	private final boolean perUser;

	ObjectSettlement(TrackedObjects shared, List<Backend> backends, WebClient client, QuotaCharging charging,
			QuotaGate gate, QuotaProperties.Settlement settings, Clock clock, GatewayMeters meters,
			StateStoreMonitor monitor, @Nullable UsageRecords records, boolean perUser) {
		this.shared = shared;
		this.backends = backends.stream()
			.collect(Collectors.toUnmodifiableMap(Backend::name, Function.identity(), (first, second) -> first));
		this.client = client;
		this.charging = charging;
		this.gate = gate;
		this.settings = settings;
		this.clock = clock;
		this.meters = meters;
		this.monitor = monitor;
		this.records = records;
		this.perUser = perUser;
		meters.quotaSettlementsStarted();
	}

	/**
	 * Tracks a run or background response an answer showed, until the gateway reads it
	 * ended (at once if it has already). Tracking an object tracked already changes
	 * nothing.
	 * @param object the object
	 * @param backend the name of the backend that answered
	 * @param requestPath the path of the call that showed it
	 * @param query the call's raw query, for its {@code api-version}
	 * @param caller whom to charge
	 * @param deployment the deployment of the call that showed it, which prices it
	 * @param priorityClass the priority class of that call
	 * @param admitted when the call that showed it was admitted: the first read is
	 * {@code first-read} after that, however long the answer took, and its cost is at the
	 * price in force then
	 */
	void track(RunningObject object, String backend, String requestPath, @Nullable String query, CallerIdentity caller,
			@Nullable String deployment, @Nullable String priorityClass, Instant admitted) {
		TrackedObject tracked = TrackedObject.of(object.id(), backend, path(object, requestPath, query), caller,
				admitted.toEpochMilli(), deployment, priorityClass);
		Instant due = admitted.plus(this.settings.firstRead());
		Duration keep = this.settings.giveUpAfter();
		this.monitor.observe("settlement.track", this.shared.track(tracked, due, keep))
			.onErrorResume((ex) -> this.local.track(tracked, due, keep))
			.subscribe();
	}

	/**
	 * Claims the objects that are due, reads each on its backend and charges, reschedules
	 * or forgets it.
	 * @return how many objects were read
	 */
	Mono<Long> settleDue() {
		Instant now = this.clock.instant();
		Mono<List<TrackedObject>> fromShared = this.monitor
			.observe("settlement.claim", this.shared.claim(now, this.settings.lease(), CLAIM_SIZE))
			.onErrorReturn(List.of());
		return Flux
			.concat(fromShared.flatMapMany(Flux::fromIterable).map((object) -> Map.entry(this.shared, object)),
					this.local.claim(now, this.settings.lease(), CLAIM_SIZE)
						.flatMapMany(Flux::fromIterable)
						.map((object) -> Map.entry(this.local, object)))
			.flatMap((entry) -> settle(entry.getKey(), entry.getValue(), now), 4)
			.count();
	}

	// The next read is due a back-off after this round began, however long this read
	// took.
	private Mono<Void> settle(TrackedObjects store, TrackedObject object, Instant now) {
		return read(object).flatMap((read) -> {
			Step step = next(read, object, now, this.settings);
			this.meters.quotaSettlement(step.outcome());
			if (step instanceof Step.Charge charge) {
				return charge(object, charge.usage(), read.status(), now).then(store.forget(object.id()));
			}
			if (step instanceof Step.Retry retry) {
				return store.reschedule(object.polledAgain(), retry.due());
			}
			if (step == Step.GIVEN_UP) {
				logger.warn("Gave up charging " + object.id() + " on " + object.backend() + ": it was still running "
						+ "(or unreadable) " + this.settings.giveUpAfter() + " after it was admitted");
			}
			return store.forget(object.id());
		}).onErrorResume((ex) -> Mono.empty());
	}

	/**
	 * Charges the tokens of a run or background response that ended, in the caller's
	 * token windows, once per object in the ledger however often it is charged (by this
	 * settlement or by a call that saw the end first).
	 * @param caller whom to charge
	 * @param priorityClass the class whose policies count it, null for none
	 * @param id the object's id
	 * @param usage what it used
	 * @param now the current time
	 */
	void chargeEnded(CallerIdentity caller, @Nullable String priorityClass, String id, TokenUsage usage, Instant now) {
		List<QuotaWindow> windows = this.charging.runWindows(caller, priorityClass, QuotaUnit.TOKENS, now);
		if (!windows.isEmpty()) {
			this.gate.chargeRun("run:" + id, Amount.tokens(usage.totalTokens()), windows, now, CHARGED_MEMORY);
		}
	}

	// Counted in the metrics and the usage records here only, so once per tracked
	// object. The cost is charged here only too: only the settlement knows the
	// deployment the object was created on, and so its price.
	private Mono<Void> charge(TrackedObject object, TokenUsage usage, @Nullable String status, Instant now) {
		CallerIdentity caller = object.caller();
		chargeEnded(caller, object.priorityClass(), object.id(), usage, now);
		Price price = this.charging.prices().priceOf(object.deployment(), Instant.ofEpochMilli(object.trackedAt()));
		Long cost = (price != null) ? price.costOf(usage) : null;
		if (cost != null) {
			List<QuotaWindow> windows = this.charging.runWindows(caller, object.priorityClass(), QuotaUnit.COST, now);
			if (!windows.isEmpty()) {
				this.gate.chargeRun("cost:" + object.id(), new Amount(0, cost), windows, now, CHARGED_MEMORY);
			}
		}
		String app = (caller.appId() != null) ? caller.appId() : "unknown";
		String user = this.perUser ? caller.id() : null;
		// The deployment tag stays "none", as for the calls on the object.
		this.meters.tokens(usage, "none", object.backend(), app, user);
		if (cost != null) {
			this.meters.cost(Price.toCurrency(cost).doubleValue(), "none", object.backend(), app, user);
		}
		if (this.records != null) {
			Map<String, Object> record = new LinkedHashMap<>();
			record.put("time", now.toString());
			record.put("caller", caller.id());
			record.put("app", caller.appId());
			record.put("backend", object.backend());
			record.put("object", object.id());
			record.put("objectStatus", status);
			record.put("usageSource", "object_ended");
			record.put("inputTokens", usage.inputTokens());
			record.put("outputTokens", usage.outputTokens());
			record.put("cachedInputTokens", usage.cachedInputTokens());
			record.put("reasoningTokens", usage.reasoningTokens());
			record.put("cost", (cost != null) ? Price.toCurrency(cost) : null);
			record.put("currency", this.charging.prices().currency());
			this.records.record(record);
		}
		return Mono.empty();
	}

	// Any failure to read (refused, reset, timed out, broken) is retried later.
	private Mono<Read> read(TrackedObject object) {
		Backend backend = this.backends.get(object.backend());
		if (backend == null) {
			return Mono.just(Read.GONE);
		}
		return this.client.get()
			.uri(backend.resolve(object.path()))
			.headers(backend.credential()::writeTo)
			.exchangeToMono((response) -> {
				int status = response.statusCode().value();
				if (status == 404) {
					return response.releaseBody().thenReturn(Read.GONE);
				}
				if (!response.statusCode().is2xxSuccessful()) {
					return response.releaseBody().thenReturn(Read.FAILED);
				}
				JsonUsageParser parser = new JsonUsageParser();
				return response.bodyToFlux(DataBuffer.class).doOnNext((buffer) -> {
					try (DataBuffer.ByteBufferIterator chunks = buffer.readableByteBuffers()) {
						chunks.forEachRemaining(parser::feed);
					}
					finally {
						DataBufferUtils.release(buffer);
					}
				}).then(Mono.fromSupplier(() -> {
					parser.end();
					return new Read(true, parser.malformed() ? null : parser.object(), parser.status(), parser.usage());
				}));
			})
			.timeout(this.settings.readTimeout())
			.onErrorReturn(Read.FAILED);
	}

	/**
	 * What to do with an object after a read.
	 * @param read what the read found
	 * @param object the object
	 * @param now the current time
	 * @param settings the back-off and the limit
	 * @return the next step
	 */
	static Step next(Read read, TrackedObject object, Instant now, QuotaProperties.Settlement settings) {
		if (read == Read.GONE) {
			return Step.GONE;
		}
		if (read.found() && ObjectStates.ended(read.object(), read.status())) {
			TokenUsage usage = read.usage();
			return (usage != null) ? new Step.Charge(usage) : Step.ENDED_WITHOUT_USAGE;
		}
		if (now.toEpochMilli() - object.trackedAt() >= settings.giveUpAfter().toMillis()) {
			return Step.GIVEN_UP;
		}
		return new Step.Retry(now.plus(backoff(object.polls(), settings)), read.found() ? "pending" : "failed");
	}

	// From the first read's delay, doubling per read, up to the longest back-off.
	static Duration backoff(int polls, QuotaProperties.Settlement settings) {
		Duration delay = settings.firstRead();
		for (int poll = 0; poll < polls && delay.compareTo(settings.maxBackoff()) < 0; poll++) {
			delay = delay.multipliedBy(2);
		}
		return (delay.compareTo(settings.maxBackoff()) < 0) ? delay : settings.maxBackoff();
	}

	// Where the object is read: beside the collection the call used, with its
	// api-version.
	static String path(RunningObject object, String requestPath, @Nullable String query) {
		String base = requestPath.startsWith("/openai/v1/") ? "/openai/v1" : "/openai";
		String path = object.run() ? base + "/threads/" + object.threadId() + "/runs/" + object.id()
				: base + "/responses/" + object.id();
		if (query != null) {
			for (String parameter : query.split("&")) {
				if (parameter.startsWith("api-version=")) {
					return path + "?" + parameter;
				}
			}
		}
		return path;
	}

	/**
	 * What a read of an object found.
	 *
	 * @param found whether the backend answered 2xx
	 * @param object the object's type, e.g. {@code response}
	 * @param status its status
	 * @param usage its usage, when it has any
	 */
	record Read(boolean found, @Nullable String object, @Nullable String status, @Nullable TokenUsage usage) {

		static final Read GONE = new Read(false, "gone", null, null);

		static final Read FAILED = new Read(false, null, null, null);

	}

	/** The next step for a tracked object. */
	sealed interface Step {

		Forget GONE = new Forget("gone");

		Forget ENDED_WITHOUT_USAGE = new Forget("ended_without_usage");

		Forget GIVEN_UP = new Forget("given_up");

		/**
		 * @return the outcome, as counted
		 */
		String outcome();

		/**
		 * Charge the usage, then forget the object.
		 *
		 * @param usage the object's usage
		 */
		record Charge(TokenUsage usage) implements Step {

			@Override
			public String outcome() {
				return "charged";
			}

		}

		/**
		 * Read again later.
		 *
		 * @param due when
		 * @param outcome {@code pending} (still running) or {@code failed} (not read)
		 */
		record Retry(Instant due, String outcome) implements Step {
		}

		/**
		 * Forget the object, with nothing to charge.
		 *
		 * @param outcome why
		 */
		record Forget(String outcome) implements Step {
		}

	}

}
