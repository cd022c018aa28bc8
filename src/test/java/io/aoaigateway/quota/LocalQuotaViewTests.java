package io.aoaigateway.quota;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The view a replica admits against while the shared store fails.
 */
class LocalQuotaViewTests {

	private static final Instant NOW = Instant.parse("2026-05-01T12:00:10Z");

	private static final Duration TTL = Duration.ofMinutes(5);

	private static final Duration WAIT = Duration.ofSeconds(5);

	private final QuotaWindow minute = new QuotaWindow("alice:m", 1_000, NOW.plusSeconds(50));

	@Test
	void ledgerWhenWindowWasSeenThenStartsAtWhatTheStoreShowed() {
		LocalQuotaView view = new LocalQuotaView(10);
		view.saw(List.of(new WindowState(this.minute, 600, 300)));

		InMemoryQuotaLedger ledger = view.ledger(List.of(this.minute), NOW);

		assertThat(ledger.reserve("c1", Amount.tokens(100), List.of(this.minute), NOW, TTL).block(WAIT).admitted())
			.isTrue();
		assertThat(ledger.reserve("c2", Amount.tokens(1), List.of(this.minute), NOW, TTL).block(WAIT).admitted())
			.isFalse();
	}

	@Test
	void ledgerWhenCostWindowWasSeenThenAdmitsOnlyWhatWasLeftOfTheBudgetAndSettlesEachUnit() {
		QuotaWindow cost = new QuotaWindow("alice:$d", QuotaUnit.COST, 1_000_000, NOW.plusSeconds(3_600));
		LocalQuotaView view = new LocalQuotaView(10);
		long seenAt = view.saw(List.of(new WindowState(this.minute, 0, 100), new WindowState(cost, 700_000, 100_000)));

		InMemoryQuotaLedger ledger = view.ledger(List.of(this.minute, cost), NOW);
		// The call the store admitted (100 tokens, 0.1 reserved) ended using 20 and 0.02.
		view.settledInStore(List.of(this.minute, cost), seenAt, new Amount(100, 100_000), new Amount(20, 20_000), NOW);

		assertThat(ledger.reserve("c1", new Amount(10, 280_001), List.of(this.minute, cost), NOW, TTL)
			.block(WAIT)
			.admitted()).isFalse();
		assertThat(ledger.reserve("c2", new Amount(10, 280_000), List.of(this.minute, cost), NOW, TTL)
			.block(WAIT)
			.admitted()).isTrue();
		assertThat(ledger.read(List.of(this.minute, cost), NOW).block(WAIT))
			.containsExactly(new WindowState(this.minute, 20, 10), new WindowState(cost, 720_000, 280_000));
	}

	@Test
	void ledgerWhenWindowNeverSeenThenStartsEmpty() {
		LocalQuotaView view = new LocalQuotaView(10);

		InMemoryQuotaLedger ledger = view.ledger(List.of(this.minute), NOW);

		assertThat(ledger.reserve("c1", Amount.tokens(1_000), List.of(this.minute), NOW, TTL).block(WAIT).admitted())
			.isTrue();
	}

	@Test
	void ledgerWhenSeenWindowHasResetThenIgnoresWhatWasSeen() {
		LocalQuotaView view = new LocalQuotaView(10);
		view.saw(List.of(new WindowState(this.minute, 1_000, 0)));
		QuotaWindow next = new QuotaWindow("alice:m", 1_000, NOW.plusSeconds(110));

		InMemoryQuotaLedger ledger = view.ledger(List.of(next), NOW.plusSeconds(50));

		assertThat(ledger.reserve("c1", Amount.tokens(1_000), List.of(next), NOW.plusSeconds(50), TTL)
			.block(WAIT)
			.admitted()).isTrue();
	}

	@Test
	void ledgerWhenOutageGoesOnThenKeepsCountingItsOwnCalls() {
		LocalQuotaView view = new LocalQuotaView(10);
		view.saw(List.of(new WindowState(this.minute, 500, 0)));
		InMemoryQuotaLedger first = view.ledger(List.of(this.minute), NOW);
		first.reserve("c1", Amount.tokens(400), List.of(this.minute), NOW, TTL).block(WAIT);
		view.saw(List.of(new WindowState(this.minute, 0, 0)));

		InMemoryQuotaLedger again = view.ledger(List.of(this.minute), NOW);

		assertThat(again).isSameAs(first);
		assertThat(again.reserve("c2", Amount.tokens(101), List.of(this.minute), NOW, TTL).block(WAIT).admitted())
			.isFalse();
	}

	@Test
	void ledgerWhenStoreRecoveredThenTheNextOutageStartsAfresh() {
		LocalQuotaView view = new LocalQuotaView(10);
		InMemoryQuotaLedger first = view.ledger(List.of(this.minute), NOW);
		first.reserve("c1", Amount.tokens(900), List.of(this.minute), NOW, TTL).block(WAIT);
		view.saw(List.of(new WindowState(this.minute, 200, 0)));
		view.storeRecovered();

		InMemoryQuotaLedger next = view.ledger(List.of(this.minute), NOW);

		assertThat(next).isNotSameAs(first);
		assertThat(next.reserve("c2", Amount.tokens(800), List.of(this.minute), NOW, TTL).block(WAIT).admitted())
			.isTrue();
		assertThat(next.reserve("c3", Amount.tokens(1), List.of(this.minute), NOW, TTL).block(WAIT).admitted())
			.isFalse();
	}

	@Test
	void settledInStoreWhenTheOutageCountedTheCallsReservationThenCountsItsUsageInstead() {
		LocalQuotaView view = new LocalQuotaView(10);
		long seenAt = view.saw(List.of(new WindowState(this.minute, 0, 900)));
		InMemoryQuotaLedger ledger = view.ledger(List.of(this.minute), NOW);

		view.settledInStore(List.of(this.minute), seenAt, Amount.tokens(900), Amount.tokens(100), NOW);

		assertThat(ledger.reserve("c1", Amount.tokens(900), List.of(this.minute), NOW, TTL).block(WAIT).admitted())
			.isTrue();
		assertThat(ledger.reserve("c2", Amount.tokens(1), List.of(this.minute), NOW, TTL).block(WAIT).admitted())
			.isFalse();
	}

	@Test
	void settledInStoreWhenTheOutageStartedBeforeTheCallsReplyThenChangesNothing() {
		LocalQuotaView view = new LocalQuotaView(10);
		view.saw(List.of(new WindowState(this.minute, 500, 0)));
		InMemoryQuotaLedger ledger = view.ledger(List.of(this.minute), NOW);
		long seenAt = view.saw(List.of(new WindowState(this.minute, 500, 300)));

		view.settledInStore(List.of(this.minute), seenAt, Amount.tokens(300), Amount.tokens(10), NOW);

		assertThat(ledger.reserve("c1", Amount.tokens(500), List.of(this.minute), NOW, TTL).block(WAIT).admitted())
			.isTrue();
		assertThat(ledger.reserve("c2", Amount.tokens(1), List.of(this.minute), NOW, TTL).block(WAIT).admitted())
			.isFalse();
	}

	@Test
	void sawWhenMoreWindowsThanTheBoundThenForgetsTheLeastRecentlySeen() {
		LocalQuotaView view = new LocalQuotaView(2);

		for (int i = 0; i < 5; i++) {
			view.saw(List.of(new WindowState(new QuotaWindow("w" + i, 1_000, NOW.plusSeconds(50)), 1_000, 0)));
		}

		assertThat(view.size()).isEqualTo(2);
		QuotaWindow forgotten = new QuotaWindow("w0", 1_000, NOW.plusSeconds(50));
		QuotaWindow kept = new QuotaWindow("w4", 1_000, NOW.plusSeconds(50));
		InMemoryQuotaLedger ledger = view.ledger(List.of(forgotten, kept), NOW);
		assertThat(ledger.reserve("c1", Amount.tokens(1), List.of(forgotten), NOW, TTL).block(WAIT).admitted())
			.isTrue();
		assertThat(ledger.reserve("c2", Amount.tokens(1), List.of(kept), NOW, TTL).block(WAIT).admitted()).isFalse();
	}

}
