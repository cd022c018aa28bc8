package io.aoaigateway.quota;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import io.aoaigateway.Eventually;
import io.aoaigateway.RedisFixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Redis store against the local Redis ({@code REDIS_URL}): the contract, what only a
 * shared store must do (replicas on their own connections never claim one object twice),
 * and no Redis at all.
 */
class RedisTrackedObjectsTests extends TrackedObjectsContractTests {

	private final String prefix = "aoai-test:unsettled:" + UUID.randomUUID() + ":";

	private RedisFixtures.Connections connections;

	private RedisTrackedObjects store;

	@BeforeEach
	void connect() {
		this.connections = new RedisFixtures.Connections(RedisFixtures.LOCAL_URL);
		this.store = new RedisTrackedObjects(this.connections.template(), this.prefix, Duration.ofSeconds(5));
	}

	@AfterEach
	void deleteKeysAndDisconnect() {
		this.connections.close(this.prefix);
	}

	@Override
	protected TrackedObjects store() {
		return this.store;
	}

	@Test
	void claimWhenFourReplicasRaceThenEachObjectGoesToExactlyOne() {
		for (int index = 0; index < 40; index++) {
			this.store.track(object("resp_" + index), NOW, KEEP).block(WAIT);
		}
		List<RedisTrackedObjects> replicas = List.of(replica(), replica(), replica(), replica());

		List<String> claimed = Flux.range(0, 20)
			.flatMap((round) -> replicas.get(round % 4).claim(NOW, LEASE, 3))
			.flatMapIterable((objects) -> objects)
			.map(TrackedObject::id)
			.collectList()
			.block(WAIT);

		assertThat(claimed).hasSize(40).doesNotHaveDuplicates();
	}

	@Test
	void claimWhenKeptLongerThanAllowedThenRedisForgotIt() {
		this.store.track(object("resp_1"), NOW, Duration.ofMillis(1)).block(WAIT);

		// Redis expires the object's key by its own clock, within milliseconds.
		Eventually.eventually(() -> this.connections.template().hasKey(this.prefix + "object:resp_1").block(WAIT),
				(exists) -> !exists, Duration.ofSeconds(5));
		List<TrackedObject> claimed = claim(NOW);

		assertThat(claimed).isEmpty();
		assertThat(this.connections.template().opsForZSet().size(this.prefix + "due").block(WAIT)).isZero();
	}

	@Test
	void everyOperationWhenConnectionRefusedThenFailsWithinTheTimeout() throws IOException {
		RedisFixtures.assertFailWhenRedisIsDown(
				(redis, timeout) -> operations(new RedisTrackedObjects(redis, this.prefix, timeout)));
	}

	@Test
	void everyOperationWhenRedisNeverAnswersThenTimesOut() throws IOException {
		RedisFixtures.assertTimeOutWhenRedisHangs(
				(redis, timeout) -> operations(new RedisTrackedObjects(redis, this.prefix, timeout)));
	}

	private RedisTrackedObjects replica() {
		return new RedisTrackedObjects(this.connections.open(), this.prefix, Duration.ofSeconds(5));
	}

	private static List<Mono<?>> operations(TrackedObjects store) {
		return List.of(store.track(object("resp_1"), NOW, KEEP), store.claim(NOW, LEASE, 1),
				store.reschedule(object("resp_1"), NOW), store.forget("resp_1"));
	}

}
