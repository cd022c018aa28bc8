package io.aoaigateway.affinity;

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
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.types.Expiration;

/**
 * An {@link AffinityStore} in Redis, shared by every replica.
 * <p>
 * Layout: one string key {@code <prefix><objectId>} per object, written with
 * {@code SET ... PX <ttl>} so that Redis forgets it by itself, holding a JSON array
 * {@code [expiresAtEpochMs,"backend","caller","app"]} ({@code null} for an unknown app).
 * JSON rather than fields joined by a separator: the caller id may be a token's
 * {@code sub} and the app a client id, neither of which this store can promise to be free
 * of any separator, and JSON keeps {@code null} apart from an empty string.
 * {@code owners} is one {@code MGET}.
 * <p>
 * Time is always the caller's {@code now}, never Redis's clock: the expiry sent is the
 * {@code ttl} argument, and the deadline stored in the value is {@code now + ttl}, so an
 * owner is only reported while its deadline is after the {@code now} of the lookup; a key
 * that Redis keeps a little longer (another clock) does no harm. Deadlines have
 * millisecond precision, and a {@code ttl} under one millisecond is refused.
 * <p>
 * Every call ends within the timeout: a Redis that is down, slow or unreachable makes the
 * {@link Mono} fail (a {@link java.util.concurrent.TimeoutException} or a connection
 * error), and the caller decides what to do without affinity. A call that timed out may
 * still have been applied.
 * <p>
 * Redis Cluster is not handled yet: {@code MGET} there needs all keys in one slot, which
 * the key layout does not ensure.
 */
public class RedisAffinityStore implements AffinityStore, StateStoreWarmUp {

	private static final JsonMapper JSON = JsonMapper.shared();

	private final ReactiveStringRedisTemplate redis;

	private final String keyPrefix;

	private final RedisCalls calls;

	/**
	 * Creates a store.
	 * @param redis the connection to Redis
	 * @param keyPrefix prefixes every key, e.g. {@code aoai:affinity:}
	 * @param timeout how long one operation may take before its {@link Mono} fails
	 */
	public RedisAffinityStore(ReactiveStringRedisTemplate redis, String keyPrefix, Duration timeout) {
		this.redis = redis;
		this.keyPrefix = keyPrefix;
		this.calls = new RedisCalls(timeout);
	}

	/**
	 * Reads one absent key at start-up: the store has no script to load, but its first
	 * lookup then runs on classes already loaded.
	 */
	@Override
	public Mono<Void> warmUp() {
		return this.calls.run(this.redis.opsForValue().multiGet(List.of(this.keyPrefix + "warm-up")).then());
	}

	@Override
	public Mono<Void> remember(String objectId, ObjectOwner owner, Duration ttl, Instant now) {
		return Mono.defer(() -> {
			InMemoryAffinityStore.checkTtl(ttl);
			String value = encode(owner, now.plus(ttl));
			// Expiration.milliseconds(): always PX; the template's Duration overload
			// would send EX for whole seconds.
			return this.calls
				.run(this.redis.opsForValue()
					.set(this.keyPrefix + objectId, value, Expiration.milliseconds(ttl.toMillis())))
				.then();
		});
	}

	@Override
	public Mono<Map<String, ObjectOwner>> owners(Collection<String> objectIds, Instant now) {
		// Duplicates would only be read twice; MGET refuses an empty key list.
		List<String> unique = new ArrayList<>(new LinkedHashSet<>(objectIds));
		if (unique.isEmpty()) {
			return Mono.just(Map.of());
		}
		List<String> keys = unique.stream().map((id) -> this.keyPrefix + id).toList();
		return this.calls.run(this.redis.opsForValue().multiGet(keys)).map((values) -> {
			Map<String, ObjectOwner> owners = new LinkedHashMap<>();
			for (int i = 0; i < unique.size(); i++) {
				Stored stored = decode(values.get(i));
				if (stored != null && stored.expiresAt().isAfter(now)) {
					owners.put(unique.get(i), stored.owner());
				}
			}
			return owners;
		});
	}

	static String encode(ObjectOwner owner, Instant expiresAt) {
		ArrayNode array = JSON.createArrayNode();
		array.add(expiresAt.toEpochMilli()).add(owner.backend()).add(owner.caller()).add(owner.app());
		return JSON.writeValueAsString(array);
	}

	// A value this store did not write (or an older layout) is an unknown object: the
	// caller routes as if the object were new rather than failing every call that reads
	// it.
	static @Nullable Stored decode(@Nullable String value) {
		if (value == null) {
			return null;
		}
		JsonNode array;
		try {
			array = JSON.readTree(value);
		}
		catch (JacksonException ex) {
			return null;
		}
		if (!array.isArray() || array.size() != 4 || !array.get(0).isIntegralNumber()
				|| !array.get(0).canConvertToLong() || !array.get(1).isString() || !array.get(2).isString()
				|| !(array.get(3).isString() || array.get(3).isNull())) {
			return null;
		}
		String app = array.get(3).isNull() ? null : array.get(3).stringValue();
		return new Stored(new ObjectOwner(array.get(1).stringValue(), array.get(2).stringValue(), app),
				Instant.ofEpochMilli(array.get(0).longValue()));
	}

	record Stored(ObjectOwner owner, Instant expiresAt) {
	}

}
