package io.aoaigateway.quota;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract on the single-replica ledger, and how it keeps its memory bounded.
 */
class InMemoryQuotaLedgerTests extends QuotaLedgerContractTests {

	private final InMemoryQuotaLedger ledger = new InMemoryQuotaLedger();

	@Override
	protected QuotaLedger ledger() {
		return this.ledger;
	}

	@Test
	void sweepWhenWindowsEndedLongAgoThenForgetsThem() {
		QuotaWindow minute = new QuotaWindow("alice:minute:1", 1_000, NOW.plusSeconds(60));
		reserve("r1", 100, List.of(minute), NOW);
		chargeOnce("run:abc", 10, List.of(minute), NOW, Duration.ofMinutes(5));
		assertThat(this.ledger.size()).isEqualTo(2);

		// still kept during the grace after the reset: a late settle lands in it
		reserve("r2", 0, List.of(), NOW.plusSeconds(60).plus(InMemoryQuotaLedger.GRACE).minusMillis(1));
		assertThat(this.ledger.size()).isEqualTo(2);

		reserve("r3", 0, List.of(), NOW.plus(Duration.ofMinutes(10)));
		assertThat(this.ledger.size()).isZero();
	}

	@Test
	void chargeOnceWhenRememberedIdIsForgottenThenChargesAgain() {
		QuotaWindow day = window("alice:day", 10_000);

		assertThat(chargeOnce("run:abc", 100, List.of(day), NOW, Duration.ofMinutes(5))).isTrue();
		assertThat(chargeOnce("run:abc", 100, List.of(day), NOW.plus(Duration.ofMinutes(5)), Duration.ofMinutes(5)))
			.isTrue();

		assertThat(read(List.of(day), NOW.plus(Duration.ofMinutes(5)))).containsExactly(new WindowState(day, 200, 0));
	}

	@Test
	void readWhenWindowEndedLongAgoThenItIsEmpty() {
		QuotaWindow minute = new QuotaWindow("alice:minute:1", 1_000, NOW.plusSeconds(60));
		settle("r1", 0, 500, List.of(minute), NOW);

		assertThat(read(List.of(minute), NOW.plusSeconds(60).plus(InMemoryQuotaLedger.GRACE)))
			.containsExactly(new WindowState(minute, 0, 0));
	}

}
