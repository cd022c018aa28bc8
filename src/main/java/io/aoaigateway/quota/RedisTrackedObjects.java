package io.aoaigateway.quota;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.aoaigateway.state.RedisCalls;
import io.aoaigateway.state.StateStoreWarmUp;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * {@link TrackedObjects} in Redis, shared by every replica and kept across restarts.
 * <p>
 * Layout: a sorted set {@code <prefix>due} of object ids scored by when each is due
 * (epoch ms), and a string key {@code <prefix>object:<id>} per object holding its JSON
 * and expiring when the gateway gives up on it. Every operation is one Lua script run
 * ({@code tracked-objects.lua}), so a claim reads and moves the due objects atomically:
 * two replicas never claim the same object within one lease. Time is the caller's clock.
 * Like the other stores, Redis Cluster is not handled yet (the script builds keys).
 */
final class RedisTrackedObjects implements TrackedObjects, StateStoreWarmUp {

	private static final Log logger = LogFactory.getLog(RedisTrackedObjects.class);

	private static final RedisScript<String> SCRIPT = script("tracked-objects.lua");

	private static final JsonMapper JSON = JsonMapper.shared();

	private final ReactiveStringRedisTemplate redis;

	private final List<String> keys;

	private final String objectPrefix;

	private final RedisCalls calls;

	/**
	 * @param redis the connection to Redis
	 * @param keyPrefix prefixes every key, e.g. {@code aoai:unsettled:}
	 * @param timeout how long one operation may take before its {@link Mono} fails
	 */
	RedisTrackedObjects(ReactiveStringRedisTemplate redis, String keyPrefix, Duration timeout) {
		this.redis = redis;
		this.keys = List.of(keyPrefix + "due");
		this.objectPrefix = keyPrefix + "object:";
		this.calls = new RedisCalls(timeout);
	}

	@Override
	public Mono<Void> warmUp() {
		return this.calls.loadScripts(this.redis, SCRIPT);
	}

	@Override
	public Mono<Void> track(TrackedObject object, Instant due, Duration keep) {
		return run("track", object.id(), JSON.writeValueAsString(object), millis(due),
				Long.toString(Math.max(1, keep.toMillis())))
			.then();
	}

	@Override
	public Mono<List<TrackedObject>> claim(Instant now, Duration lease, int max) {
		return run("claim", millis(now), millis(now.plus(lease)), Integer.toString(max)).map(this::objects);
	}

	@Override
	public Mono<Void> reschedule(TrackedObject object, Instant due) {
		return run("reschedule", object.id(), JSON.writeValueAsString(object), millis(due)).then();
	}

	@Override
	public Mono<Void> forget(String id) {
		return run("forget", id).then();
	}

	private Mono<String> run(String operation, String... args) {
		List<String> all = new ArrayList<>(args.length + 2);
		all.add(operation);
		all.add(this.objectPrefix);
		all.addAll(List.of(args));
		// An empty claim answers an empty string.
		return this.calls.run(this.redis.execute(SCRIPT, this.keys, all).next().defaultIfEmpty(""));
	}

	private List<TrackedObject> objects(String lines) {
		List<TrackedObject> objects = new ArrayList<>();
		for (String line : lines.split("\n")) {
			if (line.isEmpty()) {
				continue;
			}
			try {
				objects.add(JSON.readValue(line, TrackedObject.class));
			}
			catch (JacksonException ex) {
				// Not written by this version: left to expire.
				logger.warn("A tracked object in Redis could not be read and is skipped: " + ex.getOriginalMessage());
			}
		}
		return objects;
	}

	private static String millis(Instant instant) {
		return Long.toString(instant.toEpochMilli());
	}

	private static RedisScript<String> script(String name) {
		try {
			String source = new ClassPathResource(name, RedisTrackedObjects.class)
				.getContentAsString(StandardCharsets.UTF_8);
			return RedisScript.of(source, String.class);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot read the script " + name, ex);
		}
	}

}
