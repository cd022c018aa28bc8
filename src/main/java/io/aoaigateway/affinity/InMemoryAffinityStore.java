package io.aoaigateway.affinity;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import reactor.core.publisher.Mono;

/**
 * An {@link AffinityStore} in this process's memory, for a single replica: a map from
 * object id to owner and expiry.
 * <p>
 * Memory stays bounded without a background thread: {@code owners} drops the expired
 * entries it comes across, and {@code remember} sweeps all expired entries, at most once
 * every {@value #SWEEP_EVERY_SECONDS} seconds of the caller's time (objects are created
 * far more often than deployments cool down, so a sweep on every call would cost too
 * much).
 */
public class InMemoryAffinityStore implements AffinityStore {

	static final long SWEEP_EVERY_SECONDS = 10;

	private final Map<String, Entry> entries = new ConcurrentHashMap<>();

	// The caller's time from which the next sweep may run; the first remember sweeps.
	private final AtomicReference<Instant> nextSweep = new AtomicReference<>(Instant.MIN);

	/**
	 * Creates an empty store.
	 */
	public InMemoryAffinityStore() {
	}

	@Override
	public Mono<Void> remember(String objectId, ObjectOwner owner, Duration ttl, Instant now) {
		return Mono.fromRunnable(() -> {
			checkTtl(ttl);
			sweepIfDue(now);
			// put(): the latest remember wins, as SET does in Redis.
			this.entries.put(objectId, new Entry(owner, now.plus(ttl)));
		});
	}

	@Override
	public Mono<Map<String, ObjectOwner>> owners(Collection<String> objectIds, Instant now) {
		return Mono.fromCallable(() -> {
			Map<String, ObjectOwner> owners = new LinkedHashMap<>();
			for (String id : objectIds) {
				Entry entry = this.entries.get(id);
				if (entry == null) {
					continue;
				}
				if (entry.expiresAt().isAfter(now)) {
					owners.put(id, entry.owner());
				}
				else {
					// remove(key, value): only if no newer remember replaced it
					// meanwhile.
					this.entries.remove(id, entry);
				}
			}
			return owners;
		});
	}

	private void sweepIfDue(Instant now) {
		Instant due = this.nextSweep.get();
		// compareAndSet(): of concurrent callers, only one sweeps.
		if (!now.isBefore(due) && this.nextSweep.compareAndSet(due, now.plusSeconds(SWEEP_EVERY_SECONDS))) {
			// removeIf on a ConcurrentHashMap removes an entry only if it still holds the
			// value tested, so an entry remembered again meanwhile is kept.
			this.entries.values().removeIf((entry) -> !entry.expiresAt().isAfter(now));
		}
	}

	/**
	 * Rejects a ttl under one millisecond, the precision of the Redis store (which could
	 * not store it), so that both stores behave alike.
	 * @param ttl the ttl asked for
	 */
	static void checkTtl(Duration ttl) {
		if (ttl.toMillis() < 1) {
			throw new IllegalArgumentException("ttl must be at least 1 ms, was " + ttl);
		}
	}

	/**
	 * @return how many entries the store holds, for tests of its bounds
	 */
	int size() {
		return this.entries.size();
	}

	private record Entry(ObjectOwner owner, Instant expiresAt) {
	}

}
