package io.aoaigateway.keys;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.aoaigateway.state.RedisCalls;
import io.aoaigateway.state.StateStoreWarmUp;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * Caller key records in Redis, shared by every replica.
 * <p>
 * Layout: a hash {@code <prefix>caller-keys} (key id to the record's JSON) and a counter
 * {@code <prefix>caller-keys:version} that every change increments, in the same script
 * run ({@code caller-keys.lua}). A read gets the counter first and the hash only when the
 * counter moved: reading them in that order, a change made between the two is seen again
 * by the next read, never missed. Saves are conditional on the counter, so two
 * administrators cannot both take an app's last free key slot.
 */
final class RedisCallerKeyStore implements CallerKeyStore, StateStoreWarmUp {

	private static final Log logger = LogFactory.getLog(RedisCallerKeyStore.class);

	private static final RedisScript<Long> SCRIPT = script("caller-keys.lua");

	private static final JsonMapper JSON = JsonMapper.shared();

	private final ReactiveStringRedisTemplate redis;

	private final String recordsKey;

	private final String versionKey;

	private final RedisCalls calls;

	/**
	 * @param redis the connection to Redis
	 * @param keyPrefix prefixes both keys, e.g. {@code aoai:}
	 * @param timeout how long one operation may take before its {@link Mono} fails
	 */
	RedisCallerKeyStore(ReactiveStringRedisTemplate redis, String keyPrefix, Duration timeout) {
		this.redis = redis;
		this.recordsKey = keyPrefix + "caller-keys";
		this.versionKey = keyPrefix + "caller-keys:version";
		this.calls = new RedisCalls(timeout);
	}

	@Override
	public Mono<Void> warmUp() {
		return this.calls.loadScripts(this.redis, SCRIPT);
	}

	@Override
	public Mono<CallerKeyCatalog> read(@Nullable String knownVersion) {
		return this.calls.run(this.redis.opsForValue().get(this.versionKey)).defaultIfEmpty("0").flatMap((version) -> {
			if (version.equals(knownVersion)) {
				return Mono.empty();
			}
			return this.calls.run(this.redis.<String, String>opsForHash().entries(this.recordsKey).collectList())
				.map((entries) -> new CallerKeyCatalog(version, records(entries)));
		});
	}

	@Override
	public boolean writable() {
		return true;
	}

	@Override
	public Mono<Boolean> save(String expectedVersion, List<CallerKey> records) {
		List<String> args = new ArrayList<>();
		args.add("save");
		args.add(expectedVersion);
		for (CallerKey record : records) {
			args.add(record.keyId());
			args.add(JSON.writeValueAsString(record));
		}
		return run(args).map((saved) -> saved == 1);
	}

	@Override
	public Mono<Boolean> delete(String keyId) {
		return run(List.of("delete", keyId)).map((deleted) -> deleted == 1);
	}

	private Mono<Long> run(List<String> args) {
		return this.calls.run(this.redis.execute(SCRIPT, List.of(this.recordsKey, this.versionKey), args).single());
	}

	private static List<CallerKey> records(List<Map.Entry<String, String>> entries) {
		List<CallerKey> records = new ArrayList<>(entries.size());
		for (Map.Entry<String, String> entry : entries) {
			try {
				records.add(JSON.readValue(entry.getValue(), CallerKey.class));
			}
			catch (JacksonException | IllegalArgumentException ex) {
				// Not written by this version, or edited by hand: that key does not work.
				// The message names the field, never its value.
				logger.warn("The caller key record " + CallerKeyFormat.displayPrefix(entry.getKey())
						+ " in Redis could not be read and is skipped: " + describe(ex));
			}
		}
		return records;
	}

	private static String describe(RuntimeException ex) {
		return (ex instanceof JacksonException jackson) ? jackson.getOriginalMessage() : ex.getMessage();
	}

	private static RedisScript<Long> script(String name) {
		try {
			return RedisScript.of(
					new ClassPathResource(name, RedisCallerKeyStore.class).getContentAsString(StandardCharsets.UTF_8),
					Long.class);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
