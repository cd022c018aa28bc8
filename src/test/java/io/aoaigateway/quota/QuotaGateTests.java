package io.aoaigateway.quota;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.aoaigateway.routing.ApiOperation;
import io.aoaigateway.RedisProcess;
import io.aoaigateway.observability.GatewayMeters;
import io.aoaigateway.quota.QuotaGate.Admission;
import io.aoaigateway.quota.QuotaGate.Outcome;
import io.aoaigateway.quota.QuotaPolicies.AppliedWindow;
import io.aoaigateway.quota.QuotaProperties.Policy;
import io.aoaigateway.quota.QuotaProperties.Scope;
import io.aoaigateway.state.StateProperties.Circuit;
import io.aoaigateway.state.StateProperties.FailurePolicy;
import io.aoaigateway.state.StateStoreMonitor;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

import static io.aoaigateway.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Admission and settling against a Redis of the test's own that the test pauses: what a
 * call gets when the store fails under each policy, and that nothing is left reserved and
 * nothing is charged twice once it answers again.
 */
class QuotaGateTests {

	private static final Log logger = LogFactory.getLog(QuotaGateTests.class);

	private static final Instant NOW = Instant.parse("2026-05-01T12:00:10Z");

	private static final Duration TTL = Duration.ofMinutes(5);

	private static final Duration WAIT = Duration.ofSeconds(20);

	private static final String PREFIX = "gate-test:";

	private static final Policy POLICY = new Policy("user-default", Scope.USER, null, null, 1_000L, null, null, null,
			null);

	private static final QuotaWindow MINUTE = new QuotaWindow("user:alice:user-default:m1", 1_000, NOW.plusSeconds(50));

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	private OwnRedisLedgerFixtures store;

	private RedisProcess redis;

	private RedisQuotaLedger ledger;

	private SettlementJournal journal;

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
	void admitWhenStoreAnswersThenReservesThereAndSettleChargesOnce() {
		QuotaGate gate = gate(FailurePolicy.FAIL_OPEN);
		Reservation call = call("c1", 300);

		Admission admission = gate.admit(call, NOW).block(WAIT);
		gate.settle(call, admission, Amount.tokens(120), NOW.plusSeconds(1));

		assertThat(admission.outcome()).isEqualTo(Outcome.ADMITTED);
		await().atMost(WAIT).until(() -> state().used() == 120);
		assertThat(state().reserved()).isZero();
		assertThat(this.journal.size()).isZero();
	}

	@Test
	void admitWhenStoreFailsUnderFailOpenThenAdmitsOnlyWhatWasLeftOfTheWindow() {
		QuotaGate gate = gate(FailurePolicy.FAIL_OPEN);
		Reservation before = call("c1", 700);
		Admission first = gate.admit(before, NOW).block(WAIT);
		this.redis.pause();

		Admission local = gate.admit(call("c2", 200), NOW).block(WAIT);
		Admission over = gate.admit(call("c3", 200), NOW).block(WAIT);

		assertThat(first.outcome()).isEqualTo(Outcome.ADMITTED);
		assertThat(local.outcome()).isEqualTo(Outcome.ADMITTED_LOCAL);
		assertThat(local.decision().windows().get(0).reserved()).isEqualTo(200);
		assertThat(over.outcome()).isEqualTo(Outcome.REFUSED);
	}

	@Test
	void admitWhenStoreFailsUnderFailOpenThenTheCallIsChargedOnceWhenTheStoreIsBack() {
		QuotaGate gate = gate(FailurePolicy.FAIL_OPEN);
		this.redis.pause();
		Reservation call = call("c1", 300);
		Reservation refused = call("c2", 900);

		Admission admission = gate.admit(call, NOW).block(WAIT);
		Admission refusal = gate.admit(refused, NOW).block(WAIT);
		gate.settle(call, admission, Amount.tokens(250), NOW.plusSeconds(1));
		this.redis.resume();

		assertThat(admission.outcome()).isEqualTo(Outcome.ADMITTED_LOCAL);
		assertThat(refusal.outcome()).isEqualTo(Outcome.REFUSED);
		await().atMost(WAIT).until(() -> this.journal.size() == 0);
		// Both late reserves reached Redis after the pause; both were released by id.
		assertThat(state()).isEqualTo(new WindowState(MINUTE, 250, 0));
		assertThat(doneMarkers()).isEqualTo(2);
	}

	@Test
	void admitWhenStoreFailsUnderFailClosedThenRefusesAndReleasesTheLateReserve() {
		QuotaGate gate = gate(FailurePolicy.FAIL_CLOSED);
		this.redis.pause();

		Admission admission = gate.admit(call("c1", 300), NOW).block(WAIT);
		this.redis.resume();

		assertThat(admission.outcome()).isEqualTo(Outcome.STORE_DOWN);
		await().atMost(WAIT).until(() -> this.journal.size() == 0);
		assertThat(state()).isEqualTo(new WindowState(MINUTE, 0, 0));
	}

	@Test
	void admitWhenCallerLeavesDuringTheReserveThenItIsReleased() {
		QuotaGate gate = gate(FailurePolicy.FAIL_OPEN);
		this.redis.pause();
		Disposable pending = gate.admit(call("c1", 300), NOW).subscribe();

		pending.dispose();
		this.redis.resume();

		await().atMost(WAIT).until(() -> doneMarkers() == 1 && this.journal.size() == 0);
		assertThat(state()).isEqualTo(new WindowState(MINUTE, 0, 0));
	}

	@Test
	void admitWhenStoreRecoveredThenTheNextOutageStartsFromTheStoresFresherView() {
		QuotaGate gate = gate(FailurePolicy.FAIL_OPEN);
		this.redis.pause();
		Reservation local = call("c1", 400);
		Admission outage = gate.admit(local, NOW).block(WAIT);
		gate.settle(local, outage, Amount.tokens(400), NOW);
		this.redis.resume();
		await().atMost(WAIT).until(() -> this.journal.size() == 0);
		assertThat(gate.admit(call("c2", 100), NOW).block(WAIT).outcome()).isEqualTo(Outcome.ADMITTED);
		this.redis.pause();

		// The store showed 400 used + 100 reserved: 500 of 1,000 are left, not 600.
		Admission fits = gate.admit(call("c3", 500), NOW).block(WAIT);
		Admission over = gate.admit(call("c4", 1), NOW).block(WAIT);

		assertThat(outage.outcome()).isEqualTo(Outcome.ADMITTED_LOCAL);
		assertThat(fits.outcome()).isEqualTo(Outcome.ADMITTED_LOCAL);
		assertThat(over.outcome()).isEqualTo(Outcome.REFUSED);
	}

	@Test
	void admitAndSettleWhenManyCallsRunTogetherThenTheirSettlesShareScriptCalls() {
		// Time boxes no busy machine reaches: every call is reserved in Redis, none in
		// the
		// local view.
		RedisQuotaLedger patient = new RedisQuotaLedger(this.store.template(), PREFIX, WAIT);
		StateStoreMonitor monitor = new StateStoreMonitor(this.registry, FailurePolicy.FAIL_OPEN,
				new Circuit(20, 10, 50, WAIT, 100, Duration.ofSeconds(2), 3), Clock.systemUTC());
		this.journal = new SettlementJournal(patient, monitor, new GatewayMeters(this.registry), 1_000, 64,
				Duration.ofMillis(5));
		QuotaGate gate = new QuotaGate(patient, monitor, this.journal, new LocalQuotaView(100), TTL);
		QuotaWindow roomy = new QuotaWindow("user:bob:user-default:m1", 1_000_000, NOW.plusSeconds(50));
		int calls = 400;
		long before = this.store.scriptCalls();

		List<Outcome> outcomes = Flux.range(0, calls).flatMap((i) -> {
			Reservation call = new Reservation("c" + i, new TokenEstimate(50, 10), null, ApiOperation.CHAT,
					List.of(new AppliedWindow(POLICY, QuotaPeriod.MINUTE, roomy)));
			return gate.admit(call, NOW).doOnNext((admission) -> gate.settle(call, admission, Amount.tokens(7), NOW));
		}, 32).map(Admission::outcome).collectList().block(WAIT);
		eventually(this.journal::waiting, (waiting) -> waiting == 0, WAIT);
		long scripts = this.store.scriptCalls() - before;

		logger.info(String.format("%d calls reserved and settled in %d script calls: %.3f per call", calls, scripts,
				scripts / (double) calls));
		assertThat(outcomes).hasSize(calls).containsOnly(Outcome.ADMITTED);
		// One reserve per call; the settles went in batches (two per call before).
		assertThat(scripts).isGreaterThan(calls).isLessThan(calls + calls / 2);
		assertThat(this.ledger.read(List.of(roomy), NOW).block(WAIT))
			.containsExactly(new WindowState(roomy, 7L * calls, 0));
	}

	private QuotaGate gate(FailurePolicy policy) {
		StateStoreMonitor monitor = new StateStoreMonitor(this.registry, policy);
		this.journal = new SettlementJournal(this.ledger, monitor, new GatewayMeters(this.registry), 1_000, 64,
				Duration.ofMillis(5));
		return new QuotaGate(this.ledger, monitor, this.journal, new LocalQuotaView(100), TTL);
	}

	private static Reservation call(String id, long tokens) {
		return new Reservation(id, new TokenEstimate(tokens, 0), null, ApiOperation.CHAT,
				List.of(new AppliedWindow(POLICY, QuotaPeriod.MINUTE, MINUTE)));
	}

	private WindowState state() {
		return this.ledger.read(List.of(MINUTE), NOW).block(WAIT).get(0);
	}

	private long doneMarkers() {
		return this.store.template().keys(PREFIX + "done:*").count().block(WAIT);
	}

}
