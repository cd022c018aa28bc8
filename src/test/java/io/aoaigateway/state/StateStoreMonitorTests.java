package io.aoaigateway.state;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

import io.aoaigateway.FakeClock;
import io.aoaigateway.state.StateProperties.Circuit;
import io.aoaigateway.state.StateProperties.FailurePolicy;
import io.github.resilience4j.circuitbreaker.CircuitBreaker.State;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The store is degraded after a run of failed or slow operations, not after one; while it
 * is, operations are not attempted; probes close it again.
 */
class StateStoreMonitorTests {

	private final FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	private final StateStoreMonitor monitor = new StateStoreMonitor(this.registry, FailurePolicy.FAIL_OPEN,
			Circuit.DEFAULTS, this.clock);

	@Test
	void observeWhenOneOperationFailsAmongSuccessesThenNotDegraded() {
		succeed(9);

		fail(1);

		assertThat(this.monitor.degraded()).isFalse();
		assertThat(errors("quota.reserve")).isEqualTo(1);
		assertThat(gauge()).isZero();
	}

	@Test
	void observeWhenFewerOperationsThanTheMinimumFailThenNotDegraded() {
		fail(Circuit.DEFAULTS.minimumCalls() - 1);

		assertThat(this.monitor.degraded()).isFalse();
	}

	@Test
	void observeWhenARunOfOperationsFailsThenDegradedAndTheNextIsNotAttempted() {
		AtomicInteger subscriptions = new AtomicInteger();

		fail(Circuit.DEFAULTS.minimumCalls());
		Mono<String> next = this.monitor.observe("quota.reserve",
				Mono.fromCallable(() -> "answer").doOnSubscribe((subscription) -> subscriptions.incrementAndGet()));

		assertThat(this.monitor.degraded()).isTrue();
		assertThat(gauge()).isEqualTo(1);
		StepVerifier.create(next).expectError(StateStoreUnavailableException.class).verify(Duration.ofSeconds(5));
		assertThat(subscriptions).hasValue(0);
		assertThat(shortCircuited("quota.reserve")).isEqualTo(1);
		assertThat(errors("quota.reserve")).isEqualTo(Circuit.DEFAULTS.minimumCalls() + 1);
	}

	@Test
	void observeWhenEveryOperationIsSlowThenDegraded() {
		for (int i = 0; i < Circuit.DEFAULTS.minimumCalls(); i++) {
			StepVerifier.create(this.monitor.observe("cooldown.read", Mono.fromCallable(() -> {
				this.clock.advance(Circuit.DEFAULTS.slowCallThreshold().plusMillis(100));
				return "late";
			}))).expectNext("late").expectComplete().verify(Duration.ofSeconds(5));
		}

		assertThat(this.monitor.degraded()).isTrue();
		assertThat(errors("cooldown.read")).isZero();
	}

	@Test
	void observeWhenOpenForHasPassedAndProbesSucceedThenClosed() {
		fail(Circuit.DEFAULTS.minimumCalls());

		this.clock.advance(Circuit.DEFAULTS.openFor().plusMillis(1));
		succeed(Circuit.DEFAULTS.probes());

		assertThat(this.monitor.degraded()).isFalse();
		assertThat(this.monitor.state()).isEqualTo(State.CLOSED);
	}

	@Test
	void observeWhenProbesFailThenOpenAgain() {
		fail(Circuit.DEFAULTS.minimumCalls());

		this.clock.advance(Circuit.DEFAULTS.openFor().plusMillis(1));
		fail(Circuit.DEFAULTS.probes());

		assertThat(shortCircuited("quota.reserve")).isZero();
		assertThat(this.monitor.state()).isEqualTo(State.OPEN);
	}

	@Test
	void observeWhenAProbeIsCancelledThenItsPermitReturns() {
		fail(Circuit.DEFAULTS.minimumCalls());
		this.clock.advance(Circuit.DEFAULTS.openFor().plusMillis(1));

		for (int i = 0; i < Circuit.DEFAULTS.probes(); i++) {
			Disposable abandoned = this.monitor.observe("quota.reserve", Mono.never()).subscribe();
			abandoned.dispose();
		}
		succeed(Circuit.DEFAULTS.probes());

		assertThat(this.monitor.state()).isEqualTo(State.CLOSED);
	}

	@Test
	void unavailableWhenMarkedThenOperationsFailAtOnceUntilAvailable() {
		this.monitor.unavailable("redis connect: refused");

		StepVerifier.create(this.monitor.observe("affinity.lookup", Mono.just("x")))
			.expectErrorMessage("The shared state store is failing (redis connect: refused); affinity.lookup"
					+ " was not attempted")
			.verify(Duration.ofSeconds(5));
		assertThat(this.monitor.degraded()).isTrue();
		this.monitor.available();
		StepVerifier.create(this.monitor.observe("affinity.lookup", Mono.just("x")))
			.expectNext("x")
			.expectComplete()
			.verify(Duration.ofSeconds(5));
		assertThat(this.monitor.degraded()).isFalse();
	}

	@Test
	void circuitConfigWhenBuiltFromSettingsThenCarriesThem() {
		Circuit settings = new Circuit(30, 7, 40, Duration.ofMillis(300), 90, Duration.ofSeconds(4), 2);

		CircuitBreakerConfig config = StateStoreMonitor.circuitConfig(settings, this.clock);

		assertThat(config.getSlidingWindowType()).isEqualTo(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED);
		assertThat(config.getSlidingWindowSize()).isEqualTo(30);
		assertThat(config.getMinimumNumberOfCalls()).isEqualTo(7);
		assertThat(config.getFailureRateThreshold()).isEqualTo(40f);
		assertThat(config.getSlowCallDurationThreshold()).isEqualTo(Duration.ofMillis(300));
		assertThat(config.getSlowCallRateThreshold()).isEqualTo(90f);
		assertThat(config.getPermittedNumberOfCallsInHalfOpenState()).isEqualTo(2);
		assertThat(config.isAutomaticTransitionFromOpenToHalfOpenEnabled()).isFalse();
	}

	private void succeed(int times) {
		for (int i = 0; i < times; i++) {
			StepVerifier.create(this.monitor.observe("quota.reserve", Mono.just("ok")))
				.expectNext("ok")
				.expectComplete()
				.verify(Duration.ofSeconds(5));
		}
	}

	private void fail(int times) {
		for (int i = 0; i < times; i++) {
			StepVerifier.create(this.monitor.observe("quota.reserve", Mono.error(new IllegalStateException("down"))))
				.expectError()
				.verify(Duration.ofSeconds(5));
		}
	}

	private double errors(String operation) {
		return this.registry.get("aoai.gateway.state.errors").tag("operation", operation).counter().count();
	}

	private double shortCircuited(String operation) {
		return this.registry.get("aoai.gateway.state.short.circuited").tag("operation", operation).counter().count();
	}

	private double gauge() {
		return this.registry.get("aoai.gateway.state.degraded").gauge().value();
	}

}
