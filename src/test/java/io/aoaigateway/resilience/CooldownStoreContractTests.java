package io.aoaigateway.resilience;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static io.aoaigateway.ConcurrencyFixtures.concurrently;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/**
 * What every {@link CooldownStore} must do; each implementation's tests extend it and
 * supply a fresh, empty store per test. Times are whole milliseconds, the precision of
 * the Redis store.
 */
abstract class CooldownStoreContractTests {

	static final Duration WAIT = Duration.ofSeconds(10);

	static final Instant NOW = Instant.parse("2026-05-01T12:00:00Z");

	static final String SWEDEN = "swedencentral/gpt-4o";

	static final String FRANCE = "francecentral/gpt-4o";

	/**
	 * @return the store under test, the same one for the whole test
	 */
	protected abstract CooldownStore store();

	@Test
	void coolingWhenBeforeDeadlineThenReportsItAndAtDeadlineThenNot() {
		Instant until = NOW.plusSeconds(30);
		coolDown(SWEDEN, until, NOW);

		assertThat(cooling(List.of(SWEDEN), NOW)).containsExactly(entry(SWEDEN, until));
		assertThat(cooling(List.of(SWEDEN), until.minusMillis(1))).containsExactly(entry(SWEDEN, until));
		assertThat(cooling(List.of(SWEDEN), until)).isEmpty();
		assertThat(cooling(List.of(SWEDEN), until.plusSeconds(60))).isEmpty();
	}

	@Test
	void coolDownWhenShorterThanCurrentThenKeepsTheLongerDeadline() {
		Instant longer = NOW.plusSeconds(60);
		coolDown(SWEDEN, longer, NOW);

		coolDown(SWEDEN, NOW.plusSeconds(10), NOW.plusSeconds(1));

		assertThat(cooling(List.of(SWEDEN), NOW.plusSeconds(20))).containsExactly(entry(SWEDEN, longer));
	}

	@Test
	void coolDownWhenLongerThanCurrentThenExtendsTheDeadline() {
		coolDown(SWEDEN, NOW.plusSeconds(10), NOW);
		Instant longer = NOW.plusSeconds(60);

		coolDown(SWEDEN, longer, NOW.plusSeconds(5));

		assertThat(cooling(List.of(SWEDEN), NOW.plusSeconds(30))).containsExactly(entry(SWEDEN, longer));
	}

	@Test
	void coolDownWhenDeadlineAlreadyPassedThenNothingCools() {
		coolDown(SWEDEN, NOW, NOW);
		coolDown(FRANCE, NOW.minusSeconds(5), NOW);

		assertThat(cooling(List.of(SWEDEN, FRANCE), NOW.minusSeconds(10))).isEmpty();
	}

	@Test
	void coolDownWhenOtherKeysCoolThenTheyAreIndependent() {
		Instant swedenUntil = NOW.plusSeconds(10);
		Instant franceUntil = NOW.plusSeconds(60);
		coolDown(SWEDEN, swedenUntil, NOW);
		coolDown(FRANCE, franceUntil, NOW);

		assertThat(cooling(List.of(SWEDEN, FRANCE), NOW)).containsOnly(entry(SWEDEN, swedenUntil),
				entry(FRANCE, franceUntil));
		assertThat(cooling(List.of(SWEDEN), NOW)).containsOnly(entry(SWEDEN, swedenUntil));
		assertThat(cooling(List.of(SWEDEN, FRANCE), swedenUntil)).containsOnly(entry(FRANCE, franceUntil));
	}

	@Test
	void coolingWhenKeysUnknownThenTheyAreAbsent() {
		coolDown(SWEDEN, NOW.plusSeconds(10), NOW);

		assertThat(cooling(List.of("eastus/gpt-4o", SWEDEN, "westus/o3"), NOW)).containsOnlyKeys(SWEDEN);
		assertThat(cooling(List.of("eastus/gpt-4o"), NOW)).isEmpty();
	}

	@Test
	void coolingWhenNoKeysAskedThenAnswersEmpty() {
		coolDown(SWEDEN, NOW.plusSeconds(10), NOW);

		assertThat(cooling(List.of(), NOW)).isEmpty();
	}

	@Test
	void coolingWhenKeyAskedTwiceThenReportsItOnce() {
		Instant until = NOW.plusSeconds(10);
		coolDown(SWEDEN, until, NOW);

		assertThat(cooling(List.of(SWEDEN, SWEDEN), NOW)).containsExactly(entry(SWEDEN, until));
	}

	@Test
	void coolDownWhenCalledConcurrentlyWithDifferentDeadlinesThenTheLatestWins() throws Exception {
		List<Integer> seconds = new ArrayList<>();
		for (int i = 1; i <= 50; i++) {
			seconds.add(i);
		}
		Collections.shuffle(seconds);

		concurrently(seconds.size(), (i) -> {
			coolDown(SWEDEN, NOW.plusSeconds(seconds.get(i)), NOW);
			return null;
		});

		assertThat(cooling(List.of(SWEDEN), NOW)).containsExactly(entry(SWEDEN, NOW.plusSeconds(50)));
	}

	@Test
	void coolDownWhenNotSubscribedThenStoresNothing() {
		store().coolDown(SWEDEN, NOW.plusSeconds(10), NOW);

		assertThat(cooling(List.of(SWEDEN), NOW)).isEmpty();
	}

	void coolDown(String key, Instant until, Instant now) {
		store().coolDown(key, until, now).block(WAIT);
	}

	Map<String, Instant> cooling(List<String> keys, Instant now) {
		return store().cooling(keys, now).block(WAIT);
	}

}
