package io.aoaigateway.quota;

import java.time.Duration;

/**
 * Settings the quota tests share.
 */
final class QuotaFixtures {

	/** The default settlement settings. */
	static final QuotaProperties.Settlement SETTLEMENT = new QuotaProperties.Settlement(Duration.ofSeconds(2),
			Duration.ofMinutes(1), Duration.ofHours(24), Duration.ofSeconds(1), Duration.ofMinutes(1),
			Duration.ofSeconds(10));

	private QuotaFixtures() {
	}

}
