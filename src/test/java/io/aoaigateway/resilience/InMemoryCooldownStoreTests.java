package io.aoaigateway.resilience;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract on the single-replica store, and how it keeps its memory bounded.
 */
class InMemoryCooldownStoreTests extends CooldownStoreContractTests {

	private final InMemoryCooldownStore store = new InMemoryCooldownStore();

	@Override
	protected CooldownStore store() {
		return this.store;
	}

	@Test
	void coolDownWhenOtherCooldownsEndedThenForgetsThem() {
		coolDown(SWEDEN, NOW.plusSeconds(10), NOW);
		coolDown(FRANCE, NOW.plusSeconds(60), NOW);
		assertThat(this.store.size()).isEqualTo(2);

		coolDown("eastus/gpt-4o", NOW.plusSeconds(120), NOW.plusSeconds(10));

		assertThat(this.store.size()).isEqualTo(2);
		assertThat(cooling(List.of(SWEDEN, FRANCE), NOW.plusSeconds(10))).containsOnlyKeys(FRANCE);
	}

	@Test
	void coolingWhenCooldownEndedThenForgetsIt() {
		coolDown(SWEDEN, NOW.plusSeconds(10), NOW);

		assertThat(cooling(List.of(SWEDEN), NOW.plusSeconds(10))).isEmpty();

		assertThat(this.store.size()).isZero();
	}

	@Test
	void coolDownWhenDeadlineAlreadyPassedThenHoldsNothing() {
		coolDown(SWEDEN, NOW.minusSeconds(1), NOW);

		assertThat(this.store.size()).isZero();
	}

}
