package io.aoaigateway.resilience;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.aoaigateway.routing.BackendDeployment;
import io.aoaigateway.routing.BackendSelection;
import io.aoaigateway.routing.Candidates;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.web.server.ResponseStatusException;

/**
 * Decides, without touching the exchange, where each attempt of a call goes and what
 * follows an attempt's outcome: send to a backend, try the next one, wait for the owner
 * of a stateful object, answer that every backend is throttled, or be done. Keeps the
 * circuits and the capacity learned from answers up to date as it goes; the cooldowns it
 * decides on are written by the caller, which owns the shared store's I/O.
 */
final class FailoverPolicy {

	private static final Set<Integer> RETRYABLE_STATUSES = Set.of(429, 500, 502, 503, 504);

	private final FailoverProperties properties;

	private final BackendCircuitBreakers breakers;

	private final BackendCapacity capacity;

	private final BackendSelection selection;

	FailoverPolicy(FailoverProperties properties, BackendCircuitBreakers breakers, BackendCapacity capacity,
			BackendSelection selection) {
		this.properties = properties;
		this.breakers = breakers;
		this.capacity = capacity;
		this.selection = selection;
	}

	BackendCircuitBreakers breakers() {
		return this.breakers;
	}

	/**
	 * Where the next attempt goes.
	 * @param call the call
	 * @param cooling deployments cooling down (key to until), as the shared store says
	 * @param now the time
	 * @return {@link Step.Kind#SEND} with the backend, {@link Step.Kind#ALL_THROTTLED},
	 * or {@link Step.Kind#NONE_AVAILABLE}
	 */
	Step next(FailoverCall call, Map<String, Instant> cooling, Instant now) {
		Candidates candidates = call.candidates();
		Set<String> tried = call.tried();
		Set<String> unavailable = unavailable(call, cooling, tried, now);
		boolean someoneLeft = false;
		for (BackendDeployment candidate : candidates.backends()) {
			String name = name(candidate);
			someoneLeft |= !tried.contains(name) && !unavailable.contains(name);
		}
		if (!someoneLeft && (!cooling.isEmpty() || reservedForOthers(call, now))) {
			return Step.ALL_THROTTLED;
		}
		Set<String> excluded = unavailable.isEmpty() ? tried : union(tried, unavailable);
		Optional<BackendDeployment> choice = this.selection.next(candidates, excluded);
		return choice.map(Step::send).orElse(Step.NONE_AVAILABLE);
	}

	/**
	 * What follows an answer whose headers came.
	 * @param call the call
	 * @param selected the backend that answered
	 * @param status its status
	 * @param headers its headers as the backend sent them
	 * @param nanos how long it took to answer
	 * @param now the time
	 * @return {@link Step.Kind#DONE}, {@link Step.Kind#NEXT} (after a cooldown when
	 * {@link Step#coolUntil()} is set), {@link Step.Kind#WAIT_FOR_OWNER} or
	 * {@link Step.Kind#ALL_THROTTLED}
	 */
	Step answered(FailoverCall call, BackendDeployment selected, int status, HttpHeaders headers, long nanos,
			Instant now) {
		call.releaseUnusedPermits(selected, this.breakers);
		if (status >= 200 && status < 300) {
			// A 429 says when to come back through its cooldown; its counters would only
			// keep the deployment out for longer.
			this.capacity.record(key(selected), headers, now);
		}
		CircuitBreaker breaker = this.breakers.of(name(selected));
		// A 401 is never the caller's (no caller credential reaches a backend): the
		// backend refused the gateway's key or token, which is as good as down.
		if (status >= 500 || status == 401) {
			breaker.onError(nanos, TimeUnit.NANOSECONDS, new ResponseStatusException(HttpStatusCode.valueOf(status)));
		}
		else {
			breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
		}
		if (status == 401) {
			return Step.CREDENTIAL_REJECTED;
		}
		if (!RETRYABLE_STATUSES.contains(status)) {
			return Step.DONE;
		}
		if (status != 429) {
			return (canFailOver(call, now) && untriedLeft(call)) ? Step.next("server_error") : Step.DONE;
		}
		Duration wait = RetryAfter.cooldown(headers, now, this.properties.defaultCooldown(),
				this.properties.maxCooldown());
		Instant until = now.plus(wait);
		this.capacity.throttled(key(selected), now);
		if (call.candidates().pinned()) {
			return ownerWaitable(call, wait, now) ? Step.waitForOwner(wait, until) : Step.done(until);
		}
		return (canFailOver(call, now) && untriedLeft(call)) ? Step.next("throttled").coolingUntil(until)
				: Step.allThrottled(until);
	}

	/**
	 * What follows a backend's refusal of the gateway's credential (401), once the
	 * credential had its chance to renew.
	 * @param call the call
	 * @param renewed whether the credential has a newer token than the refused one, so
	 * the same backend may be asked again
	 * @param now the time
	 * @return {@link Step.Kind#RETRY_SAME} (once per call), {@link Step.Kind#NEXT} or
	 * {@link Step.Kind#NONE_AVAILABLE}
	 */
	Step credentialRejected(FailoverCall call, boolean renewed, Instant now) {
		boolean budgetLeft = call.attempts() < this.properties.maxAttempts()
				&& now.isBefore(call.started().plus(this.properties.timeBudget())) && call.replayable();
		if (renewed && budgetLeft && call.retryWithRenewedCredential()) {
			return Step.RETRY_SAME;
		}
		return (canFailOver(call, now) && untriedLeft(call)) ? Step.next("credential_rejected") : Step.NONE_AVAILABLE;
	}

	/**
	 * What follows an attempt that got no answer.
	 * @param call the call
	 * @param selected the backend tried
	 * @param refused whether the connection was refused
	 * @param timedOut whether no headers came in time
	 * @param nanos how long it took to fail
	 * @param error the error
	 * @param now the time
	 * @return {@link Step.Kind#NEXT} or {@link Step.Kind#FAIL}
	 */
	Step failed(FailoverCall call, BackendDeployment selected, boolean refused, boolean timedOut, long nanos,
			Throwable error, Instant now) {
		call.releaseUnusedPermits(selected, this.breakers);
		if (refused || timedOut) {
			this.breakers.of(name(selected)).onError(nanos, TimeUnit.NANOSECONDS, error);
		}
		// A call that timed out may have been done: only calls that create nothing twice
		// are sent again (stateless inference; never a create on a stateful API).
		boolean safe = refused || (timedOut && !call.stateful());
		if (safe && canFailOver(call, now) && untriedLeft(call)) {
			return Step.next(refused ? "connect" : "timeout");
		}
		return Step.FAIL;
	}

	/**
	 * When a candidate can serve a call that nothing can serve now: the soonest moment
	 * one stops cooling down and has room for the call's class. A second from now when
	 * nothing says (cooldowns shorter than this call may be over already); never later
	 * than {@code max-cooldown} from now, so that cooldowns another replica wrote under a
	 * longer cap promise no more than ours.
	 * @param call the call
	 * @param cooling deployments cooling down
	 * @param now the time
	 * @return the moment, at least a millisecond from now
	 */
	Instant availableAt(FailoverCall call, Map<String, Instant> cooling, Instant now) {
		double floor = call.priority().floor();
		Instant soonest = null;
		for (BackendDeployment candidate : call.candidates().backends()) {
			Instant cooled = cooling.get(key(candidate));
			Instant room = this.capacity.roomAt(key(candidate), floor, (cooled != null) ? cooled : now);
			Instant free = (cooled != null && cooled.isAfter(room)) ? cooled : room;
			if (free.isAfter(now) && (soonest == null || free.isBefore(soonest))) {
				soonest = free;
			}
		}
		Instant latest = now.plus(this.properties.maxCooldown());
		if (soonest == null) {
			soonest = now.plusSeconds(1);
		}
		if (soonest.isAfter(latest)) {
			soonest = latest;
		}
		Instant earliest = now.plusMillis(1);
		return soonest.isBefore(earliest) ? earliest : soonest;
	}

	// Whether a candidate is kept for the classes above the call's.
	private boolean reservedForOthers(FailoverCall call, Instant now) {
		double floor = call.priority().floor();
		if (floor <= 0) {
			return false;
		}
		for (BackendDeployment candidate : call.candidates().backends()) {
			if (this.capacity.reservedAbove(key(candidate), floor, now)) {
				return true;
			}
		}
		return false;
	}

	// Stateful objects live on one backend: it may be asked again after its back-off,
	// never replaced.
	private boolean ownerWaitable(FailoverCall call, Duration wait, Instant now) {
		return wait.compareTo(this.properties.statefulMaxWait()) <= 0 && call.attempts() < this.properties.maxAttempts()
				&& now.plus(wait).isBefore(call.started().plus(this.properties.timeBudget())) && call.replayable();
	}

	private boolean canFailOver(FailoverCall call, Instant now) {
		return !call.candidates().pinned() && call.attempts() < this.properties.maxAttempts()
				&& now.isBefore(call.started().plus(this.properties.timeBudget())) && call.replayable();
	}

	private static boolean untriedLeft(FailoverCall call) {
		Set<String> tried = call.tried();
		for (BackendDeployment candidate : call.candidates().backends()) {
			if (!tried.contains(name(candidate))) {
				return true;
			}
		}
		return false;
	}

	private Set<String> unavailable(FailoverCall call, Map<String, Instant> cooling, Set<String> tried, Instant now) {
		Set<String> hard = null;
		Set<String> soft = null;
		for (BackendDeployment candidate : call.candidates().backends()) {
			String name = name(candidate);
			if (tried.contains(name)) {
				continue;
			}
			if (cooling.containsKey(key(candidate)) || !candidate.backend().credential().usable()
					|| this.capacity.reservedAbove(key(candidate), call.priority().floor(), now)
					|| !permitted(call, name)) {
				hard = add(hard, name);
			}
			else if (this.capacity.exhausted(key(candidate), now)) {
				soft = add(soft, name);
			}
		}
		if (soft == null) {
			return (hard != null) ? hard : Set.of();
		}
		// Capacity is a preference: a backend that reported no room still serves when
		// nobody else can.
		for (BackendDeployment candidate : call.candidates().backends()) {
			String name = name(candidate);
			if (!tried.contains(name) && (hard == null || !hard.contains(name)) && !soft.contains(name)) {
				Set<String> excluded = (hard != null) ? hard : new HashSet<>();
				excluded.addAll(soft);
				return excluded;
			}
		}
		return (hard != null) ? hard : Set.of();
	}

	// Closed: always. Open: only once its wait is over, as one of the half-open probes;
	// the probe's permit is given back if another backend is chosen.
	private boolean permitted(FailoverCall call, String backend) {
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

	private static Set<String> add(@Nullable Set<String> set, String name) {
		Set<String> result = (set != null) ? set : new HashSet<>();
		result.add(name);
		return result;
	}

	private static Set<String> union(Set<String> first, Set<String> second) {
		Set<String> union = new HashSet<>(first);
		union.addAll(second);
		return union;
	}

	static String key(BackendDeployment deployment) {
		return deployment.backend().name() + "/" + deployment.azureName();
	}

	static String name(BackendDeployment deployment) {
		return deployment.backend().name();
	}

	/**
	 * One decision.
	 *
	 * @param kind what to do
	 * @param backend where to send, for {@link Kind#SEND}
	 * @param reason why the call moves on, for {@link Kind#NEXT}
	 * @param pause how long to wait, for {@link Kind#WAIT_FOR_OWNER}
	 * @param coolUntil until when the backend just tried cools down, when it throttled
	 */
	record Step(Kind kind, @Nullable BackendDeployment backend, @Nullable String reason, @Nullable Duration pause,
			@Nullable Instant coolUntil) {

		static final Step DONE = new Step(Kind.DONE, null, null, null, null);

		static final Step FAIL = new Step(Kind.FAIL, null, null, null, null);

		static final Step ALL_THROTTLED = new Step(Kind.ALL_THROTTLED, null, null, null, null);

		static final Step NONE_AVAILABLE = new Step(Kind.NONE_AVAILABLE, null, null, null, null);

		static final Step CREDENTIAL_REJECTED = new Step(Kind.CREDENTIAL_REJECTED, null, null, null, null);

		static final Step RETRY_SAME = new Step(Kind.RETRY_SAME, null, null, null, null);

		static Step send(BackendDeployment backend) {
			return new Step(Kind.SEND, backend, null, null, null);
		}

		static Step next(String reason) {
			return new Step(Kind.NEXT, null, reason, null, null);
		}

		static Step waitForOwner(Duration wait, Instant coolUntil) {
			return new Step(Kind.WAIT_FOR_OWNER, null, null, wait, coolUntil);
		}

		static Step allThrottled(Instant coolUntil) {
			return new Step(Kind.ALL_THROTTLED, null, null, null, coolUntil);
		}

		static Step done(Instant coolUntil) {
			return new Step(Kind.DONE, null, null, null, coolUntil);
		}

		Step coolingUntil(Instant until) {
			return new Step(this.kind, this.backend, this.reason, this.pause, until);
		}

		/** What a step does. */
		enum Kind {

			/** Send the next attempt to {@link Step#backend()}. */
			SEND,

			/** Discard this answer and try the next backend. */
			NEXT,

			/** Discard this answer and ask the same backend again after a wait. */
			WAIT_FOR_OWNER,

			/**
			 * The backend refused the gateway's credential: discard the answer and let
			 * the credential renew before {@link FailoverPolicy#credentialRejected
			 * deciding}.
			 */
			CREDENTIAL_REJECTED,

			/** Discard this answer and ask the same backend again now. */
			RETRY_SAME,

			/** Answer that every backend is throttled. */
			ALL_THROTTLED,

			/** No candidate can be tried at all. */
			NONE_AVAILABLE,

			/** Pass the answer on: it is final. */
			DONE,

			/** Pass the error on. */
			FAIL

		}

	}

}
