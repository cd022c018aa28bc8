package io.aoaigateway.keys;

import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.aoaigateway.FakeClock;
import io.aoaigateway.RedisFixtures;
import io.aoaigateway.RedisProcess;
import io.aoaigateway.keys.CallerKeyAdminException.Reason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link RedisCallerKeyStore} on the machine's Redis, and {@link CallerKeys} over it as
 * two replicas would use it: conditional saves, the version every change bumps, key
 * administration, revocation seen by another replica at its next refresh, and a Redis
 * that stops answering.
 */
class RedisCallerKeyStoreTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private static final Duration TIMEOUT = Duration.ofSeconds(1);

	private final String prefix = "aoai-test:" + UUID.randomUUID() + ":";

	private final RedisFixtures.Connections connections = new RedisFixtures.Connections(RedisFixtures.LOCAL_URL);

	private final FakeClock clock = new FakeClock(Instant.now());

	@AfterEach
	void deleteKeys() {
		this.connections.close(this.prefix);
	}

	@Test
	void readWhenNothingStoredThenEmptyAtVersionZero() {
		CallerKeyCatalog catalog = store().read(null).block(WAIT);

		assertThat(catalog.version()).isEqualTo("0");
		assertThat(catalog.keys()).isEmpty();
	}

	@Test
	void saveWhenVersionStillTheReadOneThenSavedAndVersionBumped() {
		RedisCallerKeyStore store = store();
		CallerKey record = CallerKeyFixtures.issue("app", "k", Instant.parse("2031-01-01T00:00:00Z"), List.of("R"))
			.record();

		assertThat(store.save("0", List.of(record)).block(WAIT)).isTrue();
		CallerKeyCatalog catalog = store.read("0").block(WAIT);

		assertThat(catalog.version()).isEqualTo("1");
		assertThat(catalog.keys()).containsExactly(record);
		assertThat(store.read("1").blockOptional(WAIT)).isEmpty();
	}

	@Test
	void saveWhenAnotherReplicaChangedTheKeysMeanwhileThenNothingSaved() {
		RedisCallerKeyStore first = store();
		RedisCallerKeyStore second = new RedisCallerKeyStore(this.connections.open(), this.prefix, TIMEOUT);
		first.save("0", List.of(CallerKeyFixtures.issue("app", "first").record())).block(WAIT);

		boolean saved = second.save("0", List.of(CallerKeyFixtures.issue("app", "second").record())).block(WAIT);

		assertThat(saved).isFalse();
		assertThat(first.read(null).block(WAIT).keys()).extracting(CallerKey::name).containsExactly("first");
	}

	@Test
	void deleteWhenKeyExistsThenGoneAndVersionBumpedElseFalse() {
		RedisCallerKeyStore store = store();
		CallerKey record = CallerKeyFixtures.issue("app", "k").record();
		store.save("0", List.of(record)).block(WAIT);

		assertThat(store.delete(record.keyId()).block(WAIT)).isTrue();
		assertThat(store.delete(record.keyId()).block(WAIT)).isFalse();

		CallerKeyCatalog catalog = store.read("1").block(WAIT);
		assertThat(catalog.version()).isEqualTo("2");
		assertThat(catalog.keys()).isEmpty();
	}

	@Test
	void readWhenARecordIsNotReadableThenSkippedAndTheOthersRead() {
		RedisCallerKeyStore store = store();
		CallerKey record = CallerKeyFixtures.issue("app", "k").record();
		store.save("0", List.of(record)).block(WAIT);
		template().opsForHash()
			.put(this.prefix + "caller-keys", "zzzzzzzzzz", "{\"keyId\":\"zzzzzzzzzz\"}")
			.block(WAIT);

		assertThat(store.read(null).block(WAIT).keys()).containsExactly(record);
	}

	@Test
	void operationsWhenRedisDownOrHungThenFailWithinTheTimeout() throws IOException {
		RedisFixtures.assertFailWhenRedisIsDown(
				(redis, timeout) -> operations(new RedisCallerKeyStore(redis, this.prefix, timeout)));
		RedisFixtures.assertTimeOutWhenRedisHangs(
				(redis, timeout) -> operations(new RedisCallerKeyStore(redis, this.prefix, timeout)));
	}

	@Test
	void createWhenAppHoldsTwoValidKeysThenConflictUntilOneExpires() {
		CallerKeys keys = registry(store());
		keys.refresh().block(WAIT);
		keys.create(request("billing", this.clock.instant().plus(Duration.ofHours(1))), "admin").block(WAIT);
		keys.create(request("billing", null), "admin").block(WAIT);

		assertThatThrownBy(() -> keys.create(request("billing", null), "admin").block(WAIT))
			.isInstanceOfSatisfying(CallerKeyAdminException.class,
					(ex) -> assertThat(ex.reason()).isEqualTo(Reason.CONFLICT))
			.hasMessageContaining("already holds 2 valid keys");
		assertThat(keys.create(request("other-app", null), "admin").block(WAIT)).isNotNull();
		this.clock.advance(Duration.ofHours(1));
		assertThat(keys.create(request("billing", null), "admin").block(WAIT)).isNotNull();
	}

	@Test
	void createWhenManyAdministratorsRaceOnTwoReplicasThenTheAppStillGetsOnlyTwoKeys() {
		// Connected before the race, as the gateway's start-up leaves them, and with room
		// for eight calls in flight on a busy machine.
		RedisCallerKeyStore firstStore = new RedisCallerKeyStore(template(), this.prefix, WAIT);
		RedisCallerKeyStore secondStore = new RedisCallerKeyStore(this.connections.open(), this.prefix, WAIT);
		firstStore.read(null).block(WAIT);
		secondStore.read(null).block(WAIT);
		CallerKeys first = registry(firstStore);
		CallerKeys second = registry(secondStore);

		List<Object> outcomes = Flux.range(0, 8)
			.flatMap((i) -> ((i % 2 == 0) ? first : second).create(request("raced-app", null), "admin-" + i)
				.<Object>map((issued) -> issued)
				.onErrorResume(CallerKeyAdminException.class, (ex) -> Mono.just(ex.reason())))
			.collectList()
			.block(WAIT);

		assertThat(outcomes).filteredOn(IssuedCallerKey.class::isInstance).hasSize(2);
		assertThat(outcomes).filteredOn(Reason.class::isInstance).hasSize(6).containsOnly(Reason.CONFLICT);
		assertThat(store().read(null).block(WAIT).keys()).hasSize(2);
	}

	@Test
	void createWhenDoneThenTheKeyWorksAtOnceOnThisReplicaAndAfterARefreshOnAnother() {
		CallerKeys first = registry(store());
		CallerKeys second = registry(new RedisCallerKeyStore(this.connections.open(), this.prefix, TIMEOUT));
		first.refresh().block(WAIT);
		second.refresh().block(WAIT);

		IssuedCallerKey issued = first.create(request("billing", null), "admin").block(WAIT);

		assertThat(first.verify(issued.key()).outcome()).isEqualTo(CallerKeyOutcome.ACCEPTED);
		assertThat(second.verify(issued.key()).outcome()).isEqualTo(CallerKeyOutcome.UNKNOWN);
		second.refresh().block(WAIT);
		assertThat(second.verify(issued.key()).outcome()).isEqualTo(CallerKeyOutcome.ACCEPTED);
		assertThat(template().opsForHash().values(this.prefix + "caller-keys").collectList().block(WAIT).toString())
			.doesNotContain(issued.key())
			.doesNotContain(issued.key().substring(16));
	}

	@Test
	void revokeWhenDoneOnOneReplicaThenRefusedThereAtOnceAndOnTheOtherAfterItsRefresh() {
		CallerKeys first = registry(store());
		CallerKeys second = registry(new RedisCallerKeyStore(this.connections.open(), this.prefix, TIMEOUT));
		first.refresh().block(WAIT);
		IssuedCallerKey issued = first.create(request("billing", null), "admin").block(WAIT);
		second.refresh().block(WAIT);

		first.revoke(issued.record().keyId(), "admin").block(WAIT);

		assertThat(first.verify(issued.key()).outcome()).isEqualTo(CallerKeyOutcome.UNKNOWN);
		assertThat(second.verify(issued.key()).outcome()).isEqualTo(CallerKeyOutcome.ACCEPTED);
		second.refresh().block(WAIT);
		assertThat(second.verify(issued.key()).outcome()).isEqualTo(CallerKeyOutcome.UNKNOWN);
		assertThatThrownBy(() -> first.revoke(issued.record().keyId(), "admin").block(WAIT)).isInstanceOfSatisfying(
				CallerKeyAdminException.class, (ex) -> assertThat(ex.reason()).isEqualTo(Reason.NOT_FOUND));
	}

	@Test
	void rotateWhenDoneThenBothKeysWorkThroughTheGracePeriodThenOnlyTheNewOne() {
		CallerKeys keys = registry(store());
		keys.refresh().block(WAIT);
		Instant expiry = this.clock.instant().plus(Duration.ofDays(90));
		IssuedCallerKey old = keys
			.create(new NewCallerKey("billing", "invoices", "team", expiry, List.of("Batch"), List.of("g")), "admin")
			.block(WAIT);

		CallerKeys.Rotation rotation = keys.rotate(old.record().keyId(), Duration.ofHours(24), null, "admin")
			.block(WAIT);

		CallerKey fresh = rotation.issued().record();
		assertThat(fresh.caller()).usingRecursiveComparison()
			.comparingOnlyFields("id", "appId", "roles", "groups")
			.isEqualTo(old.record().caller());
		assertThat(fresh.expiresAt()).isEqualTo(this.clock.instant().plus(Duration.ofDays(90)));
		assertThat(rotation.retired().expiresAt()).isEqualTo(this.clock.instant().plus(Duration.ofHours(24)));
		assertThat(keys.verify(old.key()).outcome()).isEqualTo(CallerKeyOutcome.ACCEPTED);
		assertThat(keys.verify(rotation.issued().key()).outcome()).isEqualTo(CallerKeyOutcome.ACCEPTED);
		this.clock.advance(Duration.ofHours(24));
		keys.refresh().block(WAIT);
		assertThat(keys.verify(old.key()).outcome()).isEqualTo(CallerKeyOutcome.EXPIRED);
		assertThat(keys.verify(rotation.issued().key()).outcome()).isEqualTo(CallerKeyOutcome.ACCEPTED);
	}

	@Test
	void rotateWhenAppAlreadyHoldsTwoKeysThenConflictUnlessTheGraceIsZero() {
		CallerKeys keys = registry(store());
		keys.refresh().block(WAIT);
		IssuedCallerKey first = keys.create(request("billing", null), "admin").block(WAIT);
		keys.create(request("billing", null), "admin").block(WAIT);

		assertThatThrownBy(() -> keys.rotate(first.record().keyId(), Duration.ofHours(1), null, "admin").block(WAIT))
			.isInstanceOfSatisfying(CallerKeyAdminException.class,
					(ex) -> assertThat(ex.reason()).isEqualTo(Reason.CONFLICT));
		CallerKeys.Rotation rotation = keys.rotate(first.record().keyId(), Duration.ZERO, null, "admin").block(WAIT);

		assertThat(keys.verify(first.key()).outcome()).isEqualTo(CallerKeyOutcome.EXPIRED);
		assertThat(keys.verify(rotation.issued().key()).outcome()).isEqualTo(CallerKeyOutcome.ACCEPTED);
		assertThatThrownBy(() -> keys.rotate("abcdefghij", Duration.ZERO, null, "admin").block(WAIT))
			.isInstanceOfSatisfying(CallerKeyAdminException.class,
					(ex) -> assertThat(ex.reason()).isEqualTo(Reason.NOT_FOUND));
		assertThatThrownBy(() -> keys.rotate(first.record().keyId(), Duration.ofHours(-1), null, "admin").block(WAIT))
			.isInstanceOfSatisfying(CallerKeyAdminException.class,
					(ex) -> assertThat(ex.reason()).isEqualTo(Reason.INVALID));
	}

	@Test
	void createWhenRequestInvalidThenInvalidAndNothingSaved() {
		CallerKeys keys = registry(store());

		assertThatThrownBy(() -> keys.create(request("bad app", null), "admin").block(WAIT)).isInstanceOfSatisfying(
				CallerKeyAdminException.class, (ex) -> assertThat(ex.reason()).isEqualTo(Reason.INVALID));
		assertThatThrownBy(() -> keys.create(request("app", this.clock.instant()), "admin").block(WAIT))
			.isInstanceOfSatisfying(CallerKeyAdminException.class,
					(ex) -> assertThat(ex.reason()).isEqualTo(Reason.INVALID));
		assertThat(store().read(null).block(WAIT).keys()).isEmpty();
	}

	@Test
	void verifyWhenRedisHangsThenLastKeysServedUntilMaxStalenessThenRefusedUntilItAnswers() {
		try (RedisProcess redis = RedisProcess.start()) {
			RedisFixtures.Connections own = new RedisFixtures.Connections(redis.url());
			try {
				CallerKeys keys = registry(
						new RedisCallerKeyStore(own.template(), this.prefix, Duration.ofMillis(300)));
				keys.refresh().block(WAIT);
				IssuedCallerKey issued = keys.create(request("billing", null), "admin").block(WAIT);
				redis.pause();

				keys.refresh().block(WAIT);
				this.clock.advance(Duration.ofMinutes(5));
				assertThat(keys.verify(issued.key()).outcome()).isEqualTo(CallerKeyOutcome.ACCEPTED);
				this.clock.advance(Duration.ofSeconds(1));
				keys.refresh().block(WAIT);
				assertThat(keys.verify(issued.key()).outcome()).isEqualTo(CallerKeyOutcome.UNAVAILABLE);

				redis.resume();
				keys.refresh().block(WAIT);
				assertThat(keys.verify(issued.key()).outcome()).isEqualTo(CallerKeyOutcome.ACCEPTED);
			}
			finally {
				own.close(this.prefix);
			}
		}
	}

	private static List<Mono<?>> operations(RedisCallerKeyStore store) {
		return List.of(store.read(null), store.save("0", List.of(CallerKeyFixtures.issue("app", "k").record())),
				store.delete("abcdefghij"));
	}

	private NewCallerKey request(String app, Instant expiresAt) {
		return new NewCallerKey(app, "key", "team", expiresAt, List.of(), List.of());
	}

	private CallerKeys registry(RedisCallerKeyStore store) {
		return new CallerKeys(store, this.clock, Duration.ofMinutes(5), new SecureRandom());
	}

	private RedisCallerKeyStore store() {
		return new RedisCallerKeyStore(template(), this.prefix, TIMEOUT);
	}

	private ReactiveStringRedisTemplate template() {
		return this.connections.template();
	}

}
