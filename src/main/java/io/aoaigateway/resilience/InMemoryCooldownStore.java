package io.aoaigateway.resilience;

import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import reactor.core.publisher.Mono;

/**
 * A {@link CooldownStore} in this process's memory, for a single replica: a map from key
 * to deadline.
 * <p>
 * Memory stays bounded without a background thread: every {@code coolDown} drops the
 * entries whose deadline has passed (cooldowns start on 429s only, and there are as many
 * keys as deployments, so a sweep is cheap), and {@code cooling} drops the passed ones it
 * comes across.
 */
public class InMemoryCooldownStore implements CooldownStore {

	private final Map<String, Instant> deadlines = new ConcurrentHashMap<>();

	/**
	 * Creates an empty store.
	 */
	public InMemoryCooldownStore() {
	}

	@Override
	public Mono<Void> coolDown(String key, Instant until, Instant now) {
		return Mono.fromRunnable(() -> {
			// removeIf on a ConcurrentHashMap removes an entry only if it still holds the
			// value tested, so a cooldown extended meanwhile is kept.
			this.deadlines.values().removeIf((deadline) -> !deadline.isAfter(now));
			// Already over: storing it would only hold memory (Redis is told nothing
			// either).
			if (until.isAfter(now)) {
				// merge() is atomic per key: concurrent calls end with the latest
				// deadline.
				this.deadlines.merge(key, until, (old, added) -> old.isAfter(added) ? old : added);
			}
		});
	}

	@Override
	public Mono<Map<String, Instant>> cooling(Collection<String> keys, Instant now) {
		return Mono.fromCallable(() -> {
			Map<String, Instant> cooling = new LinkedHashMap<>();
			for (String key : keys) {
				Instant deadline = this.deadlines.get(key);
				if (deadline == null) {
					continue;
				}
				if (deadline.isAfter(now)) {
					cooling.put(key, deadline);
				}
				else {
					// remove(key, value): only if no later cooldown replaced it
					// meanwhile.
					this.deadlines.remove(key, deadline);
				}
			}
			return cooling;
		});
	}

	/**
	 * @return how many cooldowns the store holds, for tests of its bounds
	 */
	int size() {
		return this.deadlines.size();
	}

}
