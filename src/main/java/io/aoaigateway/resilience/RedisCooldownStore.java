package io.aoaigateway.resilience;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

import io.aoaigateway.state.RedisCalls;
import io.aoaigateway.state.StateStoreWarmUp;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * A {@link CooldownStore} in Redis, shared by every replica.
 * <p>
 * Layout: one string key {@code <prefix><key>} per cooldown, holding its deadline in
 * epoch milliseconds and expiring at that deadline, so Redis forgets a cooldown by
 * itself. {@code coolDown} is one Lua script (read, compare and set atomically, so two
 * replicas can never shorten each other's cooldown); {@code cooling} is one {@code MGET}.
 * <p>
 * Time is always the caller's {@code now}, never Redis's clock: the expiry is set as
 * {@code until - now}, and a deadline read back is only reported while it is after
 * {@code now}, so a key that Redis keeps a little longer (another clock) does no harm.
 * Deadlines have millisecond precision.
 * <p>
 * Every call ends within the timeout: a Redis that is down, slow or unreachable makes the
 * {@link Mono} fail (a {@link java.util.concurrent.TimeoutException} or a connection
 * error), and the caller decides what to do without cooldowns. A call that timed out may
 * still have been applied.
 * <p>
 * Redis Cluster is not handled yet: {@code MGET} there needs all keys in one slot, which
 * the key layout does not ensure.
 */
public class RedisCooldownStore implements CooldownStore, StateStoreWarmUp {

	private static final RedisScript<Long> COOL_DOWN = script("cool-down.lua");

	private final ReactiveStringRedisTemplate redis;

	private final String keyPrefix;

	private final RedisCalls calls;

	/**
	 * Creates a store.
	 * @param redis the connection to Redis
	 * @param keyPrefix prefixes every key, e.g. {@code aoai:cooldown:}
	 * @param timeout how long one operation may take before its {@link Mono} fails
	 */
	public RedisCooldownStore(ReactiveStringRedisTemplate redis, String keyPrefix, Duration timeout) {
		this.redis = redis;
		this.keyPrefix = keyPrefix;
		this.calls = new RedisCalls(timeout);
	}

	/**
	 * Loads the script at start-up, so that the first cooldown is one EVALSHA.
	 */
	@Override
	public Mono<Void> warmUp() {
		return this.calls.loadScripts(this.redis, COOL_DOWN);
	}

	@Override
	public Mono<Void> coolDown(String key, Instant until, Instant now) {
		List<String> args = List.of(Long.toString(until.toEpochMilli()), Long.toString(now.toEpochMilli()));
		// single(): the script always answers one integer.
		return this.calls.run(this.redis.execute(COOL_DOWN, List.of(this.keyPrefix + key), args).single()).then();
	}

	@Override
	public Mono<Map<String, Instant>> cooling(Collection<String> keys, Instant now) {
		// Duplicates would only be read twice; MGET refuses an empty key list.
		List<String> unique = new ArrayList<>(new LinkedHashSet<>(keys));
		if (unique.isEmpty()) {
			return Mono.just(Map.of());
		}
		List<String> redisKeys = unique.stream().map((key) -> this.keyPrefix + key).toList();
		return this.calls.run(this.redis.opsForValue().multiGet(redisKeys)).map((values) -> {
			Map<String, Instant> cooling = new LinkedHashMap<>();
			for (int i = 0; i < unique.size(); i++) {
				Instant deadline = deadline(values.get(i));
				if (deadline != null && deadline.isAfter(now)) {
					cooling.put(unique.get(i), deadline);
				}
			}
			return cooling;
		});
	}

	// A value that is no epoch-ms number was not written by this store: it cools nothing,
	// rather than failing the routing of every call that reads it.
	private static @Nullable Instant deadline(@Nullable String value) {
		if (value == null) {
			return null;
		}
		try {
			return Instant.ofEpochMilli(Long.parseLong(value));
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

	private static RedisScript<Long> script(String name) {
		try {
			String source = new ClassPathResource(name, RedisCooldownStore.class)
				.getContentAsString(StandardCharsets.UTF_8);
			return RedisScript.of(source, Long.class);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot read the cooldown script " + name, ex);
		}
	}

}
