package io.aoaigateway.affinity;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract on the single-replica store, and how it keeps its memory bounded.
 */
class InMemoryAffinityStoreTests extends AffinityStoreContractTests {

	private final InMemoryAffinityStore store = new InMemoryAffinityStore();

	@Override
	protected AffinityStore store() {
		return this.store;
	}

	@Test
	void rememberWhenOthersExpiredAndSweepDueThenForgetsThem() {
		remember(THREAD, ALICE_IN_SWEDEN, Duration.ofSeconds(5), NOW);
		remember(FILE, BOB_IN_FRANCE, TTL, NOW);

		remember("vs_new", BOB_IN_FRANCE, TTL, NOW.plusSeconds(10));

		assertThat(this.store.size()).isEqualTo(2);
		assertThat(owners(List.of(FILE, "vs_new"), NOW.plusSeconds(10))).containsOnlyKeys(FILE, "vs_new");
	}

	@Test
	void rememberWhenLastSweepUnderTenSecondsAgoThenDoesNotSweep() {
		// The first remember sweeps (an empty map) and sets the next sweep to NOW + 10 s.
		remember(THREAD, ALICE_IN_SWEDEN, Duration.ofSeconds(1), NOW);

		remember(FILE, BOB_IN_FRANCE, TTL, NOW.plusSeconds(9));

		assertThat(this.store.size()).isEqualTo(2);
		remember("vs_new", BOB_IN_FRANCE, TTL, NOW.plusSeconds(10));
		assertThat(this.store.size()).isEqualTo(2);
	}

	@Test
	void ownersWhenEntryExpiredThenForgetsIt() {
		remember(THREAD, ALICE_IN_SWEDEN, Duration.ofSeconds(5), NOW);

		assertThat(owners(List.of(THREAD), NOW.plusSeconds(5))).isEmpty();

		assertThat(this.store.size()).isZero();
	}

}
