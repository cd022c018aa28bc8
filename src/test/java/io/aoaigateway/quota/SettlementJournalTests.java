package io.aoaigateway.quota;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.aoaigateway.RedisProcess;
import io.aoaigateway.observability.GatewayMeters;
import io.aoaigateway.state.StateProperties.FailurePolicy;
import io.aoaigateway.state.StateStoreMonitor;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The journal against a Redis of the test's own that the test pauses: charges that cannot
 * be written, alone or in a batch, wait, in order and within the bound, and are written
 * once each when Redis answers again; a shutdown writes the batch being gathered.
 */
class SettlementJournalTests {

	private static final Instant NOW = Instant.parse("2026-05-01T12:00:00Z");

	private static final Duration REMEMBER = Duration.ofMinutes(5);

	private static final Duration WAIT = Duration.ofSeconds(20);

	private static final String PREFIX = "journal-test:";

	/** Longer than any test: batches go only when full, or when flushed. */
	private static final Duration NEVER = Duration.ofHours(1);

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	private final StateStoreMonitor monitor = new StateStoreMonitor(this.registry, FailurePolicy.FAIL_OPEN);

	private OwnRedisLedgerFixtures store;

	private RedisProcess redis;

	private RedisQuotaLedger ledger;

	@BeforeEach
	void start() {
		this.store = new OwnRedisLedgerFixtures(PREFIX, Duration.ofMillis(200), WAIT);
		this.redis = this.store.redis();
		this.ledger = this.store.ledger();
	}

	@AfterEach
	void stop() {
		this.store.close();
	}

	@Test
	void submitWhenRedisAnswersThenWritesAtOnceAndQueuesNothing() {
		SettlementJournal journal = journal(100);
		QuotaWindow day = window();
		this.ledger.reserve("r1", Amount.tokens(500), List.of(day), NOW, Duration.ofMinutes(1)).block(WAIT);

		journal.submit(settle("r1", 500, 120));

		await().atMost(WAIT).until(() -> used(day) == 120);
		assertThat(journal.size()).isZero();
		assertThat(counter("queued")).isZero();
	}

	@Test
	void submitWhenRedisPausedThenQueuesInOrderAndReplaysOnceEachWhenResumed() {
		SettlementJournal journal = journal(100);
		QuotaWindow day = window();
		this.ledger.reserve("r1", Amount.tokens(500), List.of(day), NOW, Duration.ofMinutes(1)).block(WAIT);
		this.redis.pause();

		// Two settles of one id: the first in order must be the one that counts.
		journal.submit(settle("r1", 500, 100));
		await().atMost(WAIT).until(() -> journal.size() == 1);
		journal.submit(settle("r1", 500, 200));
		for (int i = 2; i <= 20; i++) {
			journal.submit(settle("r" + i, 0, 10));
		}
		assertThat(journal.size()).isEqualTo(21);
		assertThat(journal.entries()).extracting((charge) -> charge.used().tokens()).startsWith(100L, 200L);

		this.redis.resume();
		journal.storeAnswered();

		await().atMost(WAIT).until(() -> journal.size() == 0);
		assertThat(used(day)).isEqualTo(100 + 19 * 10);
		assertThat(reserved(day)).isZero();
		assertThat(counter("queued")).isEqualTo(21);
		assertThat(counter("replayed")).isEqualTo(21);
	}

	@Test
	void replayWhenRedisComesBackWithoutTrafficThenTheBackOffRetriesByItself() {
		SettlementJournal journal = journal(100);
		QuotaWindow day = window();
		this.redis.pause();
		journal.submit(settle("r1", 0, 70));
		await().atMost(WAIT).until(() -> journal.size() == 1);

		this.redis.resume();

		await().atMost(WAIT).until(() -> journal.size() == 0);
		assertThat(used(day)).isEqualTo(70);
	}

	@Test
	void submitWhenJournalFullThenDropsNewChargesAndCountsThem() {
		SettlementJournal journal = journal(3);
		QuotaWindow day = window();
		this.redis.pause();

		journal.submit(settle("r1", 0, 1));
		await().atMost(WAIT).until(() -> journal.size() == 1);
		for (int i = 2; i <= 5; i++) {
			journal.submit(settle("r" + i, 0, i));
		}

		assertThat(journal.size()).isEqualTo(3);
		assertThat(counter("dropped")).isEqualTo(2);
		this.redis.resume();
		await().atMost(WAIT).until(() -> journal.size() == 0);
		assertThat(used(day)).isEqualTo(1 + 2 + 3);
	}

	@Test
	void flushWhenRedisAnswersThenWritesEverythingWaiting() {
		SettlementJournal journal = journal(100);
		QuotaWindow day = window();
		this.redis.pause();
		journal.submit(settle("r1", 0, 5));
		await().atMost(WAIT).until(() -> journal.size() == 1);
		journal.submit(settle("r2", 0, 6));
		this.redis.resume();

		int left = journal.flush(WAIT);

		assertThat(left).isZero();
		assertThat(used(day)).isEqualTo(11);
	}

	@Test
	void flushWhenRedisStaysDownThenGivesUpAfterTheTimeoutAndReportsWhatIsLost() {
		SettlementJournal journal = journal(100);
		this.redis.pause();
		journal.submit(settle("r1", 0, 5));
		await().atMost(WAIT).until(() -> journal.size() == 1);

		long started = System.nanoTime();
		int left = journal.flush(Duration.ofMillis(500));

		assertThat(left).isEqualTo(1);
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
	}

	@Test
	void submitWhenRedisPausedDuringTheBatchThenItWaitsInTheJournalAndIsReplayedOnce() {
		SettlementJournal journal = journal(100, 10, NEVER);
		QuotaWindow day = window();
		for (int i = 0; i < 10; i++) {
			this.ledger.reserve("r" + i, Amount.tokens(50), List.of(day), NOW, Duration.ofMinutes(1)).block(WAIT);
		}
		this.redis.pause();

		// The tenth fills the batch, which goes and times out.
		for (int i = 0; i < 10; i++) {
			journal.submit(settle("r" + i, 50, 10 + i));
		}
		await().atMost(WAIT).until(() -> journal.size() == 10);
		assertThat(journal.entries()).extracting(PendingCharge::id)
			.containsExactly("r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9");
		// The batch that timed out still sits in Redis's socket and runs on resume; the
		// replay then finds every id settled.
		this.redis.resume();
		journal.storeAnswered();

		await().atMost(WAIT).until(() -> journal.size() == 0);
		assertThat(state(day)).isEqualTo(new WindowState(day, 145, 0));
		assertThat(counter("queued")).isEqualTo(10);
		assertThat(counter("replayed")).isEqualTo(10);
	}

	@Test
	void shutdownWhenSettlesAreGatheredThenTheFlushWritesThemInOneScriptCall() {
		SettlementJournal journal = journal(100, 1_000, NEVER);
		QuotaWindow day = window();
		for (int i = 0; i < 10; i++) {
			this.ledger.reserve("r" + i, Amount.tokens(50), List.of(day), NOW, Duration.ofMinutes(1)).block(WAIT);
			journal.submit(settle("r" + i, 50, 10 + i));
		}
		assertThat(state(day)).isEqualTo(new WindowState(day, 0, 500));
		assertThat(journal.waiting()).isEqualTo(10);
		long before = this.store.scriptCalls();

		new QuotaConfiguration.JournalFlush(journal, WAIT).stop();

		assertThat(this.store.scriptCalls() - before).isEqualTo(1);
		assertThat(journal.waiting()).isZero();
		assertThat(state(day)).isEqualTo(new WindowState(day, 145, 0));
	}

	private SettlementJournal journal(int maxEntries) {
		return journal(maxEntries, 8, Duration.ofMillis(5));
	}

	private SettlementJournal journal(int maxEntries, int batchSize, Duration batchDelay) {
		return new SettlementJournal(this.ledger, this.monitor, new GatewayMeters(this.registry), maxEntries, batchSize,
				batchDelay);
	}

	private static QuotaWindow window() {
		return new QuotaWindow("alice:day", 1_000_000, NOW.plus(Duration.ofHours(1)));
	}

	private static PendingCharge settle(String id, long reserved, long used) {
		return new PendingCharge(id, Amount.tokens(reserved), Amount.tokens(used), List.of(window()), NOW, REMEMBER,
				false);
	}

	private long used(QuotaWindow window) {
		return state(window).used();
	}

	private long reserved(QuotaWindow window) {
		return state(window).reserved();
	}

	private WindowState state(QuotaWindow window) {
		return this.ledger.read(List.of(window), NOW).block(WAIT).get(0);
	}

	private double counter(String outcome) {
		return this.registry.get(GatewayMeters.QUOTA_JOURNAL).tag("outcome", outcome).counter().count();
	}

}
