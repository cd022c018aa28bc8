package io.aoaigateway.quota;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.aoaigateway.state.StateProperties.FailurePolicy;
import io.aoaigateway.state.StateStoreMonitor;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.aoaigateway.ConcurrencyFixtures.concurrently;
import static io.aoaigateway.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Settles of many calls against a Redis of the test's own: they reach Redis in fewer
 * script calls (round trips) than there are settles, counted by Redis itself
 * ({@code INFO commandstats}), and the windows then hold exactly the sum of the usage.
 */
class SettleBatcherTests {

	private static final Instant NOW = Instant.parse("2026-05-01T12:00:00Z");

	private static final Duration REMEMBER = Duration.ofMinutes(5);

	private static final Duration WAIT = Duration.ofSeconds(20);

	/** Longer than any test: batches go only when full, or when flushed. */
	private static final Duration NEVER = Duration.ofHours(1);

	private static final QuotaWindow MINUTE = new QuotaWindow("user:alice:m", 1_000_000, NOW.plusSeconds(60));

	private static final QuotaWindow DAY = new QuotaWindow("user:alice:d", 10_000_000, NOW.plus(Duration.ofHours(12)));

	private final StateStoreMonitor monitor = new StateStoreMonitor(new SimpleMeterRegistry(), FailurePolicy.FAIL_OPEN);

	private final List<PendingCharge> failed = new CopyOnWriteArrayList<>();

	private OwnRedisLedgerFixtures store;

	private RedisQuotaLedger ledger;

	@BeforeEach
	void start() {
		this.store = new OwnRedisLedgerFixtures("batch-test:", Duration.ofSeconds(2), WAIT);
		this.ledger = this.store.ledger();
	}

	@AfterEach
	void stop() {
		this.store.close();
	}

	@Test
	void addWhenHundredSettlesComeConcurrentlyThenFourScriptCallsChargeExactlyTheirUsage() throws Exception {
		SettleBatcher batcher = new SettleBatcher(this.ledger, this.monitor, 25, NEVER, this.failed::addAll);
		reserveAll(100, 50);
		long before = this.store.scriptCalls();

		concurrently(20, (thread) -> {
			for (int i = thread; i < 100; i += 20) {
				batcher.add(settle(i, 50, usage(i)));
			}
			return null;
		});

		eventually(batcher::waiting, (waiting) -> waiting == 0, WAIT);
		assertThat(this.store.scriptCalls() - before).isEqualTo(4);
		assertThat(read()).containsExactly(new WindowState(MINUTE, totalUsage(100), 0),
				new WindowState(DAY, totalUsage(100), 0));
		assertThat(this.failed).isEmpty();
	}

	@Test
	void addWhenFewerThanABatchArriveThenTheDelaySendsThemTogether() throws Exception {
		SettleBatcher batcher = new SettleBatcher(this.ledger, this.monitor, 1_000, Duration.ofMillis(300),
				this.failed::addAll);
		reserveAll(30, 50);
		long before = this.store.scriptCalls();

		concurrently(30, (i) -> {
			batcher.add(settle(i, 50, usage(i)));
			return null;
		});

		eventually(batcher::waiting, (waiting) -> waiting == 0, WAIT);
		// One call when all 30 came within the delay; a few more on a very busy machine.
		assertThat(this.store.scriptCalls() - before).isBetween(1L, 10L);
		assertThat(read()).containsExactly(new WindowState(MINUTE, totalUsage(30), 0),
				new WindowState(DAY, totalUsage(30), 0));
	}

	@Test
	void addWhenTheSameSettlesComeAgainThenTheyChargeOnce() {
		SettleBatcher batcher = new SettleBatcher(this.ledger, this.monitor, 10, NEVER, this.failed::addAll);
		reserveAll(10, 50);

		for (int round = 0; round < 3; round++) {
			for (int i = 0; i < 10; i++) {
				batcher.add(settle(i, 50, usage(i)));
			}
		}

		eventually(batcher::waiting, (waiting) -> waiting == 0, WAIT);
		assertThat(read()).containsExactly(new WindowState(MINUTE, totalUsage(10), 0),
				new WindowState(DAY, totalUsage(10), 0));
	}

	@Test
	void flushWhenRedisPausedThenTheBatchIsHandedBackWholeAndInOrder() {
		SettleBatcher batcher = new SettleBatcher(
				new RedisQuotaLedger(this.store.template(), "batch-test:", Duration.ofMillis(200)), this.monitor, 100,
				NEVER, this.failed::addAll);
		List<PendingCharge> settles = List.of(settle(0, 0, 5), settle(1, 0, 6), settle(2, 0, 7));
		settles.forEach(batcher::add);
		this.store.redis().pause();

		batcher.flushAndWait(System.nanoTime() + WAIT.toNanos());

		assertThat(this.failed).containsExactlyElementsOf(settles);
		assertThat(batcher.waiting()).isZero();
	}

	private void reserveAll(int calls, long tokens) {
		for (int i = 0; i < calls; i++) {
			assertThat(this.ledger.reserve("c" + i, Amount.tokens(tokens), List.of(MINUTE, DAY), NOW, REMEMBER)
				.block(WAIT)
				.admitted()).isTrue();
		}
	}

	private static PendingCharge settle(int call, long reserved, long used) {
		return new PendingCharge("c" + call, Amount.tokens(reserved), Amount.tokens(used), List.of(MINUTE, DAY),
				NOW.plusSeconds(1), REMEMBER, false);
	}

	private static long usage(int call) {
		return 7 + call % 13;
	}

	private static long totalUsage(int calls) {
		long total = 0;
		for (int i = 0; i < calls; i++) {
			total += usage(i);
		}
		return total;
	}

	private List<WindowState> read() {
		return this.ledger.read(List.of(MINUTE, DAY), NOW.plusSeconds(2)).block(WAIT);
	}

}
