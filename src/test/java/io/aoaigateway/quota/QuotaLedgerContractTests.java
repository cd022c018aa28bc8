package io.aoaigateway.quota;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import static io.aoaigateway.ConcurrencyFixtures.concurrently;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every {@link QuotaLedger} must do; each implementation's tests extend it and
 * supply a fresh, empty ledger per test.
 */
abstract class QuotaLedgerContractTests {

	static final Duration WAIT = Duration.ofSeconds(10);

	static final Instant NOW = Instant.parse("2026-05-01T12:00:00Z");

	static final Duration TTL = Duration.ofSeconds(30);

	/** How long settled ids are remembered: longer than a reservation lives. */
	static final Duration REMEMBER = Duration.ofMinutes(5);

	/**
	 * Windows end an hour after {@link #NOW}, so that moving time by minutes stays inside
	 * them.
	 */
	static QuotaWindow window(String key, long limit) {
		return new QuotaWindow(key, limit, NOW.plus(Duration.ofHours(1)));
	}

	/**
	 * @return the ledger under test, the same one for the whole test
	 */
	protected abstract QuotaLedger ledger();

	@Test
	void reserveWhenWithinLimitThenAdmitsAndReportsRemaining() {
		QuotaWindow minute = window("alice:minute", 1_000);
		QuotaWindow day = window("alice:day", 10_000);

		QuotaDecision decision = reserve("r1", 300, List.of(minute, day), NOW);

		assertThat(decision.admitted()).isTrue();
		assertThat(decision.windows()).containsExactly(new WindowState(minute, 0, 300), new WindowState(day, 0, 300));
		assertThat(decision.windows()).extracting(WindowState::remaining).containsExactly(700L, 9_700L);
	}

	@Test
	void reserveWhenExactlyFillsWindowThenAdmits() {
		QuotaWindow minute = window("alice:minute", 1_000);

		assertThat(reserve("r1", 1_000, List.of(minute), NOW).admitted()).isTrue();
		assertThat(reserve("r2", 1, List.of(minute), NOW).admitted()).isFalse();
	}

	@Test
	void reserveWhenAnyWindowLacksRoomThenRejectsAndReservesNothingAnywhere() {
		QuotaWindow minute = window("alice:minute", 1_000);
		QuotaWindow day = window("alice:day", 500);
		QuotaWindow other = window("team:minute", 10_000);
		reserve("r1", 400, List.of(day), NOW);

		QuotaDecision decision = reserve("r2", 200, List.of(minute, day, other), NOW);

		assertThat(decision.admitted()).isFalse();
		assertThat(decision.windows()).containsExactly(new WindowState(minute, 0, 0), new WindowState(day, 0, 400),
				new WindowState(other, 0, 0));
		assertThat(read(List.of(minute, day, other), NOW)).isEqualTo(decision.windows());
	}

	@Test
	void settleWhenUsageBelowEstimateThenReplacesReservationWithUsage() {
		QuotaWindow minute = window("alice:minute", 1_000);
		reserve("r1", 500, List.of(minute), NOW);

		settle("r1", 500, 120, List.of(minute), NOW.plusSeconds(1));

		assertThat(read(List.of(minute), NOW.plusSeconds(1))).containsExactly(new WindowState(minute, 120, 0));
	}

	@Test
	void settleWhenUsageAboveEstimateThenChargesAllOfItEvenOverTheLimit() {
		QuotaWindow minute = window("alice:minute", 1_000);
		reserve("r1", 500, List.of(minute), NOW);

		settle("r1", 500, 1_200, List.of(minute), NOW.plusSeconds(1));

		List<WindowState> states = read(List.of(minute), NOW.plusSeconds(1));
		assertThat(states).containsExactly(new WindowState(minute, 1_200, 0));
		assertThat(states.get(0).remaining()).isZero();
		assertThat(reserve("r2", 0, List.of(minute), NOW.plusSeconds(2)).admitted()).isFalse();
	}

	@Test
	void settleWhenOtherReservationsHeldThenRemovesOnlyItsOwn() {
		QuotaWindow minute = window("alice:minute", 1_000);
		reserve("r1", 300, List.of(minute), NOW);
		reserve("r2", 200, List.of(minute), NOW);

		settle("r1", 300, 100, List.of(minute), NOW.plusSeconds(1));

		assertThat(read(List.of(minute), NOW.plusSeconds(1))).containsExactly(new WindowState(minute, 100, 200));
	}

	@Test
	void settleWhenReservationExpiredThenChargesUsageWithoutSubtractingTwice() {
		QuotaWindow minute = window("alice:minute", 1_000);
		reserve("r1", 500, List.of(minute), NOW);
		reserve("r2", 200, List.of(minute), NOW.plus(TTL));
		Instant later = NOW.plus(TTL).plusSeconds(1);

		// r1 expired first (seen by this read), then its late settle arrives
		assertThat(read(List.of(minute), later)).containsExactly(new WindowState(minute, 0, 200));
		settle("r1", 500, 450, List.of(minute), later);

		assertThat(read(List.of(minute), later)).containsExactly(new WindowState(minute, 450, 200));
	}

	@Test
	void settleWhenReservationExpiredUnseenThenChargesUsageWithoutSubtractingTwice() {
		QuotaWindow minute = window("alice:minute", 1_000);
		reserve("r1", 500, List.of(minute), NOW);

		settle("r1", 500, 450, List.of(minute), NOW.plus(TTL).plusSeconds(1));

		assertThat(read(List.of(minute), NOW.plus(TTL).plusSeconds(1)))
			.containsExactly(new WindowState(minute, 450, 0));
	}

	@Test
	void readWhenReservationNeverSettledThenItStopsCountingAtItsExpiry() {
		QuotaWindow minute = window("alice:minute", 1_000);
		reserve("crashed", 1_000, List.of(minute), NOW);

		assertThat(read(List.of(minute), NOW.plus(TTL).minusMillis(1)))
			.containsExactly(new WindowState(minute, 0, 1_000));
		assertThat(read(List.of(minute), NOW.plus(TTL))).containsExactly(new WindowState(minute, 0, 0));
		assertThat(reserve("next", 1_000, List.of(minute), NOW.plus(TTL)).admitted()).isTrue();
	}

	@Test
	void chargeOnceWhenCalledRepeatedlyThenChargesOnce() {
		QuotaWindow minute = window("alice:minute", 1_000);
		QuotaWindow day = window("alice:day", 10_000);
		Duration remember = Duration.ofHours(1);

		assertThat(chargeOnce("run:abc", 250, List.of(minute, day), NOW, remember)).isTrue();
		assertThat(chargeOnce("run:abc", 250, List.of(minute, day), NOW.plusSeconds(5), remember)).isFalse();
		assertThat(chargeOnce("run:abc", 999, List.of(minute, day), NOW.plusSeconds(9), remember)).isFalse();
		assertThat(chargeOnce("run:other", 50, List.of(minute), NOW.plusSeconds(9), remember)).isTrue();

		assertThat(read(List.of(minute, day), NOW.plusSeconds(10))).containsExactly(new WindowState(minute, 300, 0),
				new WindowState(day, 250, 0));
	}

	@Test
	void chargeOnceWhenCalledConcurrentlyThenExactlyOneCharges() throws Exception {
		QuotaWindow minute = window("alice:minute", 1_000_000);

		List<Boolean> charged = concurrently(50,
				(i) -> chargeOnce("run:abc", 100, List.of(minute), NOW, Duration.ofHours(1)));

		assertThat(charged).containsOnlyOnce(true);
		assertThat(read(List.of(minute), NOW)).containsExactly(new WindowState(minute, 100, 0));
	}

	@Test
	void readWhenCalledThenChangesNothing() {
		QuotaWindow minute = window("alice:minute", 1_000);
		QuotaWindow unknown = window("bob:minute", 1_000);
		reserve("r1", 300, List.of(minute), NOW);
		settle("r1", 300, 200, List.of(minute), NOW);
		reserve("r2", 100, List.of(minute), NOW);

		List<WindowState> first = read(List.of(minute, unknown), NOW.plusSeconds(1));
		List<WindowState> second = read(List.of(minute, unknown), NOW.plusSeconds(2));

		assertThat(first).containsExactly(new WindowState(minute, 200, 100), new WindowState(unknown, 0, 0));
		assertThat(second).isEqualTo(first);
		assertThat(reserve("r3", 700, List.of(minute), NOW.plusSeconds(3)).admitted()).isTrue();
	}

	@Test
	void reserveWhenWindowsHaveOtherKeysThenTheyAreIndependent() {
		QuotaWindow alice = window("alice:minute", 1_000);
		QuotaWindow bob = window("bob:minute", 1_000);
		reserve("r1", 1_000, List.of(alice), NOW);

		QuotaDecision decision = reserve("r2", 1_000, List.of(bob), NOW);

		assertThat(decision.admitted()).isTrue();
		assertThat(read(List.of(alice, bob), NOW)).containsExactly(new WindowState(alice, 0, 1_000),
				new WindowState(bob, 0, 1_000));
	}

	@Test
	void reserveWhenSameReservationMadeAgainThenCountsItOnceWithTheLaterExpiry() {
		QuotaWindow minute = window("alice:minute", 1_000);
		reserve("r1", 300, List.of(minute), NOW);

		QuotaDecision again = reserve("r1", 300, List.of(minute), NOW.plusSeconds(10));

		assertThat(again.windows()).containsExactly(new WindowState(minute, 0, 300));
		assertThat(read(List.of(minute), NOW.plus(TTL))).containsExactly(new WindowState(minute, 0, 300));
	}

	@Test
	void reserveWhenNoWindowsThenAdmits() {
		assertThat(reserve("r1", 100, List.of(), NOW)).isEqualTo(new QuotaDecision(true, List.of()));
	}

	@Test
	void reserveWhenFiftyConcurrentReservationsCompeteThenExactlyTenAdmitted() throws Exception {
		QuotaWindow minute = window("alice:minute", 1_000);
		QuotaWindow day = window("alice:day", 1_000_000);

		List<Boolean> admitted = concurrently(50, (i) -> reserve("r" + i, 100, List.of(day, minute), NOW).admitted());

		assertThat(admitted).filteredOn(Boolean::booleanValue).hasSize(10);
		assertThat(read(List.of(day, minute), NOW)).containsExactly(new WindowState(day, 0, 1_000),
				new WindowState(minute, 0, 1_000));
	}

	@Test
	void settleWhenCalledTwiceThenOnlyTheFirstTakesEffect() {
		QuotaWindow minute = window("alice:minute", 1_000);
		reserve("r1", 500, List.of(minute), NOW);

		boolean first = settle("r1", 500, 120, List.of(minute), NOW.plusSeconds(1));
		boolean second = settle("r1", 500, 120, List.of(minute), NOW.plusSeconds(2));
		boolean third = settle("r1", 500, 999, List.of(minute), NOW.plusSeconds(3));

		assertThat(first).isTrue();
		assertThat(second).isFalse();
		assertThat(third).isFalse();
		assertThat(read(List.of(minute), NOW.plusSeconds(3))).containsExactly(new WindowState(minute, 120, 0));
	}

	@Test
	void settleWhenCalledConcurrentlyThenExactlyOneTakesEffect() throws Exception {
		QuotaWindow minute = window("alice:minute", 1_000_000);
		reserve("r1", 500, List.of(minute), NOW);

		List<Boolean> settled = concurrently(50, (i) -> settle("r1", 500, 100, List.of(minute), NOW));

		assertThat(settled).containsOnlyOnce(true);
		assertThat(read(List.of(minute), NOW)).containsExactly(new WindowState(minute, 100, 0));
	}

	@Test
	void reserveWhenItsIdWasReleasedBeforeThenLeavesNothingBehind() {
		QuotaWindow minute = window("alice:minute", 1_000);
		QuotaWindow day = window("alice:day", 30_000);

		// The gateway gave up on r1 (timeout) and released it; then the late reserve
		// lands.
		assertThat(settle("r1", 400, 0, List.of(minute, day), NOW)).isTrue();
		QuotaDecision late = reserve("r1", 400, List.of(minute, day), NOW);

		assertThat(late.admitted()).isFalse();
		assertThat(read(List.of(minute, day), NOW.plusSeconds(1))).containsExactly(new WindowState(minute, 0, 0),
				new WindowState(day, 0, 0));
		assertThat(reserve("r2", 1_000, List.of(minute, day), NOW.plusSeconds(1)).admitted()).isTrue();
	}

	@Test
	void settleWhenReserveLandedLateAfterTheCallerGaveUpThenReleasesIt() {
		QuotaWindow day = window("alice:day", 30_000);

		// The reserve timed out for the gateway but was applied by the store; the
		// release by id that follows takes it out again.
		reserve("r1", 4_000, List.of(day), NOW);
		settle("r1", 4_000, 0, List.of(day), NOW.plusSeconds(1));

		assertThat(read(List.of(day), NOW.plusSeconds(1))).containsExactly(new WindowState(day, 0, 0));
	}

	@Test
	void settleWhenNoReservationWasMadeThenChargesTheUsedTokens() {
		QuotaWindow minute = window("alice:minute", 1_000);

		// Admitted while the store was down; the settle is replayed from the journal.
		assertThat(settle("r1", 500, 300, List.of(minute), NOW)).isTrue();

		assertThat(read(List.of(minute), NOW)).containsExactly(new WindowState(minute, 300, 0));
	}

	@Test
	void settleWhenAfterExpiryAndRepeatedThenChargesOnce() {
		QuotaWindow minute = window("alice:minute", 1_000);
		reserve("r1", 500, List.of(minute), NOW);
		Instant late = NOW.plus(TTL).plusSeconds(5);

		settle("r1", 500, 450, List.of(minute), late);
		settle("r1", 500, 450, List.of(minute), late.plusSeconds(1));

		assertThat(read(List.of(minute), late.plusSeconds(1))).containsExactly(new WindowState(minute, 450, 0));
	}

	@Test
	void settleWhenIdsDifferThenEachTakesEffect() {
		QuotaWindow minute = window("alice:minute", 1_000);
		reserve("r1", 100, List.of(minute), NOW);
		reserve("r2", 100, List.of(minute), NOW);

		assertThat(settle("r1", 100, 10, List.of(minute), NOW)).isTrue();
		assertThat(settle("r2", 100, 20, List.of(minute), NOW)).isTrue();

		assertThat(read(List.of(minute), NOW)).containsExactly(new WindowState(minute, 30, 0));
	}

	@Test
	void settleAllWhenSettlesReleasesAndChargesMixedThenAppliesEachAsItWouldAlone() {
		QuotaWindow minute = window("alice:minute", 1_000);
		QuotaWindow day = window("alice:day", 10_000);
		reserve("r1", 500, List.of(minute, day), NOW);
		reserve("r2", 300, List.of(minute, day), NOW);

		List<Boolean> applied = settleAll(settleOf("r1", 500, 120, List.of(minute, day), NOW.plusSeconds(1)),
				new PendingCharge("run:abc", Amount.tokens(0), Amount.tokens(50), List.of(minute, day),
						NOW.plusSeconds(2), REMEMBER, true),
				settleOf("r2", 300, 0, List.of(minute, day), NOW.plusSeconds(3)),
				settleOf("r3", 400, 30, List.of(day), NOW.plusSeconds(4)));

		assertThat(applied).containsExactly(true, true, true, true);
		assertThat(read(List.of(minute, day), NOW.plusSeconds(5))).containsExactly(new WindowState(minute, 170, 0),
				new WindowState(day, 200, 0));
		// Released and settled ids refuse a late reserve, as after a settle alone.
		assertThat(reserve("r2", 300, List.of(minute, day), NOW.plusSeconds(5)).admitted()).isFalse();
		assertThat(reserve("r3", 400, List.of(day), NOW.plusSeconds(5)).admitted()).isFalse();
		assertThat(chargeOnce("run:abc", 50, List.of(minute, day), NOW.plusSeconds(5), REMEMBER)).isFalse();
	}

	@Test
	void settleAllWhenAnIdComesTwiceOrWasSettledBeforeThenOnlyItsFirstWriteCounts() {
		QuotaWindow minute = window("alice:minute", 1_000);
		reserve("r1", 500, List.of(minute), NOW);
		reserve("r2", 500, List.of(minute), NOW);
		settle("r2", 500, 40, List.of(minute), NOW);

		List<Boolean> applied = settleAll(settleOf("r1", 500, 100, List.of(minute), NOW),
				settleOf("r1", 500, 200, List.of(minute), NOW), settleOf("r2", 500, 300, List.of(minute), NOW));
		List<Boolean> again = settleAll(settleOf("r1", 500, 100, List.of(minute), NOW));

		assertThat(applied).containsExactly(true, false, false);
		assertThat(again).containsExactly(false);
		assertThat(read(List.of(minute), NOW)).containsExactly(new WindowState(minute, 140, 0));
	}

	@Test
	void settleAllWhenNothingToWriteThenAnswersNothing() {
		assertThat(settleAll()).isEmpty();
	}

	@Test
	void reserveWhenTokenAndCostWindowsThenEachTakesItsOwnPartAndAllOrNothing() {
		QuotaWindow tokens = window("alice:minute", 1_000);
		QuotaWindow cost = new QuotaWindow("alice:$day", QuotaUnit.COST, 50_000, NOW.plus(Duration.ofHours(1)));

		QuotaDecision first = ledger().reserve("r1", new Amount(300, 40_000), List.of(tokens, cost), NOW, TTL)
			.block(WAIT);
		QuotaDecision second = ledger().reserve("r2", new Amount(300, 10_001), List.of(tokens, cost), NOW, TTL)
			.block(WAIT);

		assertThat(first.admitted()).isTrue();
		assertThat(first.windows()).containsExactly(new WindowState(tokens, 0, 300), new WindowState(cost, 0, 40_000));
		assertThat(second.admitted()).isFalse();
		assertThat(read(List.of(tokens, cost), NOW)).containsExactly(new WindowState(tokens, 0, 300),
				new WindowState(cost, 0, 40_000));
	}

	@Test
	void settleWhenTokenAndCostWindowsThenEachReplacesItsReservationWithItsUsageOnce() {
		QuotaWindow tokens = window("alice:minute", 1_000);
		QuotaWindow cost = new QuotaWindow("alice:$day", QuotaUnit.COST, 50_000, NOW.plus(Duration.ofHours(1)));
		ledger().reserve("r1", new Amount(300, 40_000), List.of(tokens, cost), NOW, TTL).block(WAIT);

		Boolean settled = ledger()
			.settle("r1", new Amount(300, 40_000), new Amount(120, 15_123), List.of(tokens, cost), NOW, REMEMBER)
			.block(WAIT);
		Boolean again = ledger()
			.settle("r1", new Amount(300, 40_000), new Amount(120, 15_123), List.of(tokens, cost), NOW, REMEMBER)
			.block(WAIT);
		List<Boolean> replayed = settleAll(
				new PendingCharge("r1", new Amount(300, 40_000), new Amount(120, 15_123), List.of(tokens, cost), NOW,
						REMEMBER, false),
				new PendingCharge("cost:resp_1", Amount.ZERO, new Amount(0, 7), List.of(cost), NOW, REMEMBER, true),
				new PendingCharge("cost:resp_1", Amount.ZERO, new Amount(0, 7), List.of(cost), NOW, REMEMBER, true));

		assertThat(settled).isTrue();
		assertThat(again).isFalse();
		assertThat(replayed).containsExactly(false, true, false);
		assertThat(read(List.of(tokens, cost), NOW)).containsExactly(new WindowState(tokens, 120, 0),
				new WindowState(cost, 15_130, 0));
	}

	@Test
	void reserveWhenCostExpiresThenOnlyItsOwnAmountLeavesEachWindow() {
		QuotaWindow tokens = window("alice:minute", 1_000);
		QuotaWindow cost = new QuotaWindow("alice:$day", QuotaUnit.COST, 50_000, NOW.plus(Duration.ofHours(1)));
		ledger().reserve("r1", new Amount(300, 40_000), List.of(tokens, cost), NOW, TTL).block(WAIT);
		ledger().reserve("r2", new Amount(100, 5_000), List.of(tokens, cost), NOW.plusSeconds(10), TTL).block(WAIT);

		List<WindowState> states = read(List.of(tokens, cost), NOW.plus(TTL).plusSeconds(1));

		assertThat(states).containsExactly(new WindowState(tokens, 0, 100), new WindowState(cost, 0, 5_000));
	}

	List<Boolean> settleAll(PendingCharge... charges) {
		return ledger().settleAll(List.of(charges)).block(WAIT);
	}

	static PendingCharge settleOf(String id, long reserved, long used, List<QuotaWindow> windows, Instant at) {
		return new PendingCharge(id, Amount.tokens(reserved), Amount.tokens(used), windows, at, REMEMBER, false);
	}

	QuotaDecision reserve(String id, long tokens, List<QuotaWindow> windows, Instant now) {
		return ledger().reserve(id, Amount.tokens(tokens), windows, now, TTL).block(WAIT);
	}

	boolean settle(String id, long reserved, long used, List<QuotaWindow> windows, Instant now) {
		return ledger().settle(id, Amount.tokens(reserved), Amount.tokens(used), windows, now, REMEMBER).block(WAIT);
	}

	boolean chargeOnce(String id, long used, List<QuotaWindow> windows, Instant now, Duration remember) {
		return ledger().chargeOnce(id, Amount.tokens(used), windows, now, remember).block(WAIT);
	}

	List<WindowState> read(List<QuotaWindow> windows, Instant now) {
		return ledger().read(windows, now).block(WAIT);
	}

}
