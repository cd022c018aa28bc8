package io.aoaigateway.quota;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class InMemoryTrackedObjectsTests extends TrackedObjectsContractTests {

	private final InMemoryTrackedObjects store = new InMemoryTrackedObjects();

	@Override
	protected TrackedObjects store() {
		return this.store;
	}

	@Test
	void claimWhenKeptLongerThanAllowedThenDropped() {
		this.store.track(object("resp_1"), NOW, KEEP).block(WAIT);

		assertThat(claim(NOW.plus(KEEP))).isEmpty();
	}

}
