package io.aoaigateway.affinity;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/**
 * What every {@link AffinityStore} must do; each implementation's tests extend it and
 * supply a fresh, empty store per test. Times are whole milliseconds, the precision of
 * the Redis store.
 */
abstract class AffinityStoreContractTests {

	static final Duration WAIT = Duration.ofSeconds(10);

	static final Instant NOW = Instant.parse("2026-05-01T12:00:00Z");

	static final Duration TTL = Duration.ofHours(1);

	static final String THREAD = "thread_abc123";

	static final String FILE = "assistant-file-9f2c";

	static final ObjectOwner ALICE_IN_SWEDEN = new ObjectOwner("swedencentral", "5d3f0c1e-7a52-4b8e-9c61-2f4e8a0b7d13",
			"0a1b2c3d-4e5f-6789-abcd-ef0123456789");

	static final ObjectOwner BOB_IN_FRANCE = new ObjectOwner("francecentral", "b0b00000-0000-4000-8000-000000000b0b",
			null);

	/**
	 * @return the store under test, the same one for the whole test
	 */
	protected abstract AffinityStore store();

	@Test
	void ownersWhenRememberedWithAppThenAnswersAllThreeFields() {
		remember(THREAD, ALICE_IN_SWEDEN, TTL, NOW);

		ObjectOwner owner = owners(List.of(THREAD), NOW).get(THREAD);

		assertThat(owner).isEqualTo(ALICE_IN_SWEDEN);
		assertThat(owner.backend()).isEqualTo("swedencentral");
		assertThat(owner.caller()).isEqualTo("5d3f0c1e-7a52-4b8e-9c61-2f4e8a0b7d13");
		assertThat(owner.app()).isEqualTo("0a1b2c3d-4e5f-6789-abcd-ef0123456789");
	}

	@Test
	void ownersWhenRememberedWithoutAppThenAnswersNullApp() {
		remember(THREAD, BOB_IN_FRANCE, TTL, NOW);

		assertThat(owners(List.of(THREAD), NOW)).containsExactly(entry(THREAD, BOB_IN_FRANCE));
		assertThat(owners(List.of(THREAD), NOW).get(THREAD).app()).isNull();
	}

	@Test
	void ownersWhenFieldsHoldUnusualCharactersThenAnswersThemUnchanged() {
		// A caller id may be a token's sub, an app any string: nothing to split on.
		ObjectOwner odd = new ObjectOwner("east-us.2_b", "sub|with:\"quotes\",\\ and \u00e9\n", "");

		remember(THREAD, odd, TTL, NOW);

		assertThat(owners(List.of(THREAD), NOW)).containsExactly(entry(THREAD, odd));
	}

	@Test
	void ownersWhenIdsUnknownThenTheyAreAbsent() {
		remember(THREAD, ALICE_IN_SWEDEN, TTL, NOW);

		assertThat(owners(List.of("thread_unknown"), NOW)).isEmpty();
		assertThat(owners(List.of("vs_unknown", THREAD, "batch_unknown"), NOW)).containsOnlyKeys(THREAD);
	}

	@Test
	void ownersWhenBeforeTtlThenAnswersAndAtOrAfterTtlThenNot() {
		remember(THREAD, ALICE_IN_SWEDEN, TTL, NOW);
		Instant expiry = NOW.plus(TTL);

		assertThat(owners(List.of(THREAD), expiry.minusMillis(1))).containsExactly(entry(THREAD, ALICE_IN_SWEDEN));
		assertThat(owners(List.of(THREAD), expiry)).isEmpty();
		assertThat(owners(List.of(THREAD), expiry.plus(TTL))).isEmpty();
	}

	@Test
	void rememberWhenAlreadyRememberedThenReplacesOwnerAndExpiry() {
		remember(THREAD, ALICE_IN_SWEDEN, Duration.ofMinutes(10), NOW);

		remember(THREAD, BOB_IN_FRANCE, Duration.ofMinutes(30), NOW.plusSeconds(60));

		assertThat(owners(List.of(THREAD), NOW.plusSeconds(60))).containsExactly(entry(THREAD, BOB_IN_FRANCE));
		assertThat(owners(List.of(THREAD), NOW.plus(Duration.ofMinutes(20))))
			.containsExactly(entry(THREAD, BOB_IN_FRANCE));
		assertThat(owners(List.of(THREAD), NOW.plusSeconds(60).plus(Duration.ofMinutes(30)))).isEmpty();
	}

	@Test
	void rememberWhenShorterTtlThanBeforeThenTheLatestTtlCounts() {
		remember(THREAD, ALICE_IN_SWEDEN, Duration.ofMinutes(30), NOW);

		remember(THREAD, ALICE_IN_SWEDEN, Duration.ofMinutes(5), NOW);

		assertThat(owners(List.of(THREAD), NOW.plus(Duration.ofMinutes(10)))).isEmpty();
	}

	@Test
	void ownersWhenManyIdsSomeKnownThenAnswersTheKnownOnes() {
		remember(THREAD, ALICE_IN_SWEDEN, TTL, NOW);
		remember(FILE, BOB_IN_FRANCE, TTL, NOW);
		remember("vs_short", BOB_IN_FRANCE, Duration.ofSeconds(30), NOW);

		Map<String, ObjectOwner> owners = owners(
				List.of("asst_unknown", THREAD, "vs_short", FILE, "batch_unknown", "resp_unknown"),
				NOW.plusSeconds(30));

		assertThat(owners).containsOnly(entry(THREAD, ALICE_IN_SWEDEN), entry(FILE, BOB_IN_FRANCE));
	}

	@Test
	void ownersWhenIdAskedTwiceThenAnswersItOnce() {
		remember(THREAD, ALICE_IN_SWEDEN, TTL, NOW);

		assertThat(owners(List.of(THREAD, "thread_unknown", THREAD, "thread_unknown"), NOW))
			.containsExactly(entry(THREAD, ALICE_IN_SWEDEN));
	}

	@Test
	void ownersWhenNoIdsAskedThenAnswersEmpty() {
		remember(THREAD, ALICE_IN_SWEDEN, TTL, NOW);

		assertThat(owners(List.of(), NOW)).isEmpty();
	}

	@Test
	void rememberWhenNotSubscribedThenStoresNothing() {
		store().remember(THREAD, ALICE_IN_SWEDEN, TTL, NOW);

		assertThat(owners(List.of(THREAD), NOW)).isEmpty();
	}

	@Test
	void rememberWhenTtlUnderOneMillisecondThenFailsAndStoresNothing() {
		for (Duration ttl : List.of(Duration.ZERO, Duration.ofNanos(999_999), Duration.ofSeconds(-1))) {
			StepVerifier.create(store().remember(THREAD, ALICE_IN_SWEDEN, ttl, NOW))
				.expectError(IllegalArgumentException.class)
				.verify(WAIT);
		}

		assertThat(owners(List.of(THREAD), NOW)).isEmpty();
	}

	void remember(String objectId, ObjectOwner owner, Duration ttl, Instant now) {
		store().remember(objectId, owner, ttl, now).block(WAIT);
	}

	Map<String, ObjectOwner> owners(List<String> objectIds, Instant now) {
		return store().owners(objectIds, now).block(WAIT);
	}

}
