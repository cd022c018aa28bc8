package io.aoaigateway.resilience;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.aoaigateway.identity.BackendCredential;
import io.aoaigateway.resilience.FailoverPolicy.Step;
import io.aoaigateway.routing.ApiKey;
import io.aoaigateway.priority.PriorityClass;
import io.aoaigateway.routing.Attempts;
import io.aoaigateway.routing.Backend;
import io.aoaigateway.routing.BackendDeployment;
import io.aoaigateway.routing.BackendSelector;
import io.aoaigateway.routing.Candidates;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every step failover can take, decided without an exchange.
 */
class FailoverPolicyTests {

	private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");

	private static final BackendDeployment A = deployment("a", 0);

	private static final BackendDeployment B = deployment("b", 0);

	private static final BackendDeployment C = deployment("c", 1);

	private static final PriorityClass INTERACTIVE = new PriorityClass("interactive", 0, 0, Duration.ofSeconds(5), 10,
			5);

	private static final PriorityClass BATCH = new PriorityClass("batch", 1, 0.5, Duration.ZERO, 10, 5);

	private final FailoverProperties properties = new FailoverProperties(3, Duration.ofSeconds(150),
			Duration.ofSeconds(30), Duration.ofSeconds(120), Duration.ofSeconds(10), Duration.ofSeconds(60),
			Duration.ofSeconds(10), Duration.ofSeconds(120), Duration.ofSeconds(30), 90,
			new FailoverProperties.CircuitBreaker(50, 4, 2, Duration.ofSeconds(60), Duration.ofSeconds(30), 1));

	private final BackendCircuitBreakers breakers = new BackendCircuitBreakers(this.properties.circuitBreaker(),
			new SimpleMeterRegistry());

	private final BackendCapacity capacity = new BackendCapacity(90, Duration.ofMinutes(1));

	// Fixed draws: the first candidate of the best priority wins a weighted draw.
	private final FailoverPolicy policy = new FailoverPolicy(this.properties, this.breakers, this.capacity,
			new BackendSelector(() -> 0L));

	@Test
	void nextWhenNothingTriedThenBestPriorityIsSent() {
		Step step = this.policy.next(call(pool(C, A, B)), Map.of(), NOW);

		assertThat(step.kind()).isEqualTo(Step.Kind.SEND);
		assertThat(step.backend()).isEqualTo(A);
	}

	@Test
	void nextWhenFixedOrderThenTheFirstNotTriedIsSentWhateverItsPriority() {
		FailoverCall call = call(new Candidates(List.of(C, A), Candidates.Order.FIXED, false));
		call.start(C);

		Step step = this.policy.next(call, Map.of(), NOW);

		assertThat(step.backend()).isEqualTo(A);
	}

	@Test
	void nextWhenTheBestIsCoolingThenTheNextIsSent() {
		Step step = this.policy.next(call(pool(A, C)), Map.of("a/gpt-4o", NOW.plusSeconds(5)), NOW);

		assertThat(step.backend()).isEqualTo(C);
	}

	@Test
	void nextWhenEveryCandidateIsCoolingThenAllThrottled() {
		Step step = this.policy.next(call(pool(A, B)),
				Map.of("a/gpt-4o", NOW.plusSeconds(5), "b/gpt-4o", NOW.plusSeconds(9)), NOW);

		assertThat(step.kind()).isEqualTo(Step.Kind.ALL_THROTTLED);
	}

	@Test
	void nextWhenEveryCandidateWasTriedThenNoneAvailable() {
		FailoverCall call = call(pool(A));
		call.start(A);

		assertThat(this.policy.next(call, Map.of(), NOW).kind()).isEqualTo(Step.Kind.NONE_AVAILABLE);
	}

	@Test
	void nextWhenTheBestReportedNoRoomThenAnotherWithRoomIsPreferred() {
		this.capacity.record("a/gpt-4o", headers("x-ratelimit-remaining-tokens", "0"), NOW);

		assertThat(this.policy.next(call(pool(A, C)), Map.of(), NOW).backend()).isEqualTo(C);
	}

	@Test
	void nextWhenEveryBackendReportedNoRoomThenItIsStillServed() {
		this.capacity.record("a/gpt-4o", headers("x-ratelimit-remaining-tokens", "0"), NOW);

		assertThat(this.policy.next(call(pool(A)), Map.of(), NOW).backend()).isEqualTo(A);
	}

	@Test
	void nextWhenTheBestCircuitIsOpenThenItIsSkipped() {
		this.breakers.of("a").transitionToOpenState();

		assertThat(this.policy.next(call(pool(A, C)), Map.of(), NOW).backend()).isEqualTo(C);
	}

	@Test
	void answeredWhenSuccessThenDoneAndCapacityLearned() {
		FailoverCall call = sent(pool(A, B), A);

		Step step = this.policy.answered(call, A, 200, headers("x-ratelimit-remaining-requests", "0"), 1_000, NOW);

		assertThat(step).isEqualTo(Step.DONE);
		assertThat(this.capacity.exhausted("a/gpt-4o", NOW)).isTrue();
	}

	@Test
	void answeredWhenClientErrorThenDoneWithoutFailover() {
		assertThat(this.policy.answered(sent(pool(A, B), A), A, 400, new HttpHeaders(), 1_000, NOW))
			.isEqualTo(Step.DONE);
	}

	@Test
	void answeredWhenThrottledWithUntriedLeftThenNextAfterCoolingForItsRetryAfter() {
		Step step = this.policy.answered(sent(pool(A, B), A), A, 429, headers("retry-after-ms", "2500"), 1_000, NOW);

		assertThat(step.kind()).isEqualTo(Step.Kind.NEXT);
		assertThat(step.reason()).isEqualTo("throttled");
		assertThat(step.coolUntil()).isEqualTo(NOW.plusMillis(2500));
	}

	@Test
	void answeredWhenThrottledRetryAfterBeyondTheCapThenCooledForTheCapOnly() {
		Step step = this.policy.answered(sent(pool(A, B), A), A, 429, headers("retry-after", "86400"), 1_000, NOW);

		assertThat(step.coolUntil()).isEqualTo(NOW.plus(this.properties.maxCooldown()));
	}

	@Test
	void answeredWhenThrottledAndNobodyLeftThenAllThrottled() {
		FailoverCall call = sent(pool(A, B), A);
		call.start(B);

		Step step = this.policy.answered(call, B, 429, headers("retry-after", "3"), 1_000, NOW);

		assertThat(step.kind()).isEqualTo(Step.Kind.ALL_THROTTLED);
		assertThat(step.coolUntil()).isEqualTo(NOW.plusSeconds(3));
	}

	@Test
	void answeredWhenPinnedOwnerThrottlesBrieflyThenWaitForTheOwner() {
		FailoverCall call = sent(new Candidates(List.of(A, B), Candidates.Order.FIXED, true), A);

		Step step = this.policy.answered(call, A, 429, headers("retry-after", "2"), 1_000, NOW);

		assertThat(step.kind()).isEqualTo(Step.Kind.WAIT_FOR_OWNER);
		assertThat(step.pause()).isEqualTo(Duration.ofSeconds(2));
	}

	@Test
	void answeredWhenPinnedOwnerThrottlesLongerThanTheStatefulWaitThenItsAnswerIsPassedOn() {
		FailoverCall call = sent(new Candidates(List.of(A), Candidates.Order.FIXED, true), A);

		Step step = this.policy.answered(call, A, 429, headers("retry-after", "30"), 1_000, NOW);

		assertThat(step.kind()).isEqualTo(Step.Kind.DONE);
		assertThat(step.coolUntil()).isEqualTo(NOW.plusSeconds(30));
	}

	@Test
	void answeredWhenServerErrorThenNextAndTheCircuitCountsIt() {
		Step step = this.policy.answered(sent(pool(A, B), A), A, 503, new HttpHeaders(), 1_000, NOW);

		assertThat(step.kind()).isEqualTo(Step.Kind.NEXT);
		assertThat(step.reason()).isEqualTo("server_error");
		assertThat(this.breakers.of("a").getMetrics().getNumberOfFailedCalls()).isEqualTo(1);
	}

	@Test
	void answeredWhenBackendRefusesTheGatewaysCredentialThenCredentialRejectedAndTheCircuitCountsIt() {
		Step step = this.policy.answered(sent(pool(A, B), A), A, 401, new HttpHeaders(), 1_000, NOW);

		assertThat(step).isEqualTo(Step.CREDENTIAL_REJECTED);
		assertThat(this.breakers.of("a").getMetrics().getNumberOfFailedCalls()).isEqualTo(1);
	}

	@Test
	void credentialRejectedWhenRenewedThenTheSameBackendOnceThenTheNext() {
		FailoverCall call = sent(pool(A, B), A);

		assertThat(this.policy.credentialRejected(call, true, NOW)).isEqualTo(Step.RETRY_SAME);
		call.start(A);
		Step second = this.policy.credentialRejected(call, true, NOW);

		assertThat(second.kind()).isEqualTo(Step.Kind.NEXT);
		assertThat(second.reason()).isEqualTo("credential_rejected");
	}

	@Test
	void credentialRejectedWhenNotRenewedThenTheNextBackend() {
		Step step = this.policy.credentialRejected(sent(pool(A, B), A), false, NOW);

		assertThat(step.kind()).isEqualTo(Step.Kind.NEXT);
		assertThat(step.reason()).isEqualTo("credential_rejected");
	}

	@Test
	void credentialRejectedWhenNobodyElseThenNoneAvailable() {
		assertThat(this.policy.credentialRejected(sent(pool(A), A), false, NOW)).isEqualTo(Step.NONE_AVAILABLE);
	}

	@Test
	void nextWhenABackendHasNoUsableCredentialThenItIsSkippedAsIfDown() {
		BackendDeployment keyless = new BackendDeployment(
				new Backend("keyless", URI.create("https://keyless.openai.azure.com"), new WithoutToken(), 0, 1),
				"gpt-4o");

		Step step = this.policy.next(call(pool(keyless, C)), Map.of(), NOW);
		Step alone = this.policy.next(call(pool(keyless)), Map.of(), NOW);

		assertThat(step.backend()).isEqualTo(C);
		assertThat(alone).isEqualTo(Step.NONE_AVAILABLE);
	}

	@Test
	void answeredWhenMaxAttemptsReachedThenDone() {
		FailoverCall call = sent(pool(A, B, C, deployment("d", 2)), A);
		call.start(B);
		call.start(C);

		assertThat(this.policy.answered(call, C, 503, new HttpHeaders(), 1_000, NOW)).isEqualTo(Step.DONE);
	}

	@Test
	void answeredWhenTimeBudgetSpentThenDone() {
		FailoverCall call = sent(pool(A, B), A);

		Step step = this.policy.answered(call, A, 503, new HttpHeaders(), 1_000,
				NOW.plus(this.properties.timeBudget()));

		assertThat(step).isEqualTo(Step.DONE);
	}

	@Test
	void answeredWhenBodyCannotBeReplayedThenDone() {
		FailoverCall call = new FailoverCall(pool(A, B), new Attempts(), NOW, Duration.ofSeconds(30), false, false,
				PriorityClass.NONE);
		call.start(A);

		assertThat(this.policy.answered(call, A, 503, new HttpHeaders(), 1_000, NOW)).isEqualTo(Step.DONE);
	}

	@Test
	void failedWhenConnectionRefusedThenNext() {
		Step step = this.policy.failed(sent(pool(A, B), A), A, true, false, 1_000, new RuntimeException(), NOW);

		assertThat(step.kind()).isEqualTo(Step.Kind.NEXT);
		assertThat(step.reason()).isEqualTo("connect");
	}

	@Test
	void failedWhenStatelessCallTimedOutThenNext() {
		Step step = this.policy.failed(sent(pool(A, B), A), A, false, true, 1_000, new RuntimeException(), NOW);

		assertThat(step.reason()).isEqualTo("timeout");
	}

	@Test
	void failedWhenStatefulCreateTimedOutThenFailRatherThanCreateTwice() {
		FailoverCall call = new FailoverCall(new Candidates(List.of(A, B), Candidates.Order.FIXED, false),
				new Attempts(), NOW, Duration.ofSeconds(30), true, true, PriorityClass.NONE);
		call.start(A);

		assertThat(this.policy.failed(call, A, false, true, 1_000, new RuntimeException(), NOW)).isEqualTo(Step.FAIL);
	}

	@Test
	void failedWhenOtherErrorThenFail() {
		assertThat(this.policy.failed(sent(pool(A, B), A), A, false, false, 1_000, new RuntimeException(), NOW))
			.isEqualTo(Step.FAIL);
	}

	@Test
	void availableAtWhenSeveralCoolingThenTheSoonestWithinTheCap() {
		FailoverCall call = call(pool(A, B));
		assertThat(this.policy.availableAt(call, Map.of("a/gpt-4o", NOW.plusSeconds(7), "b/gpt-4o", NOW.plusSeconds(3)),
				NOW))
			.isEqualTo(NOW.plusSeconds(3));
		assertThat(this.policy.availableAt(call, Map.of("a/gpt-4o", NOW.plusSeconds(600)), NOW))
			.isEqualTo(NOW.plus(this.properties.maxCooldown()));
		assertThat(this.policy.availableAt(call, Map.of(), NOW)).isEqualTo(NOW.plusSeconds(1));
	}

	@Test
	void nextWhenALowerClassFindsOneBackendAtItsFloorThenAnotherServesIt() {
		this.capacity.record("a/gpt-4o", remaining(30, 100), NOW);

		assertThat(this.policy.next(call(pool(A, B), BATCH), Map.of(), NOW).backend()).isEqualTo(B);
		assertThat(this.policy.next(call(pool(A, B), INTERACTIVE), Map.of(), NOW).backend()).isEqualTo(A);
	}

	@Test
	void nextWhenEveryBackendIsKeptForHigherClassesThenAllThrottledForTheLowerOnly() {
		this.capacity.record("a/gpt-4o", remaining(30, 100), NOW);
		this.capacity.record("b/gpt-4o", remaining(45, 100), NOW);

		assertThat(this.policy.next(call(pool(A, B), BATCH), Map.of(), NOW)).isEqualTo(Step.ALL_THROTTLED);
		assertThat(this.policy.next(call(pool(A, B), INTERACTIVE), Map.of(), NOW).kind()).isEqualTo(Step.Kind.SEND);
	}

	@Test
	void availableAtWhenALowerClassWaitsThenUntilTheCooldownEndsAndItsShareHasRefilled() {
		FailoverCall call = sent(pool(A), A);
		HttpHeaders throttled = headers("retry-after-ms", "10000");
		Step step = this.policy.answered(call, A, 429, throttled, 1_000, NOW);
		Map<String, Instant> cooling = Map.of("a/gpt-4o", step.coolUntil());

		assertThat(this.policy.availableAt(call(pool(A), INTERACTIVE), cooling, NOW)).isEqualTo(NOW.plusSeconds(10));
		// Half the capacity kept above batch: 30 s of refill after the 429.
		assertThat(this.policy.availableAt(call(pool(A), BATCH), cooling, NOW)).isBetween(NOW.plusSeconds(30),
				NOW.plusSeconds(30).plusMillis(1));
	}

	private static FailoverCall call(Candidates candidates, PriorityClass priority) {
		return new FailoverCall(candidates, new Attempts(), NOW, Duration.ofSeconds(30), false, true, priority);
	}

	private static HttpHeaders remaining(long remaining, long limit) {
		HttpHeaders headers = headers("x-ratelimit-remaining-requests", Long.toString(remaining));
		headers.set("x-ratelimit-limit-requests", Long.toString(limit));
		return headers;
	}

	private static Candidates pool(BackendDeployment... backends) {
		return new Candidates(List.of(backends), Candidates.Order.PRIORITY_WEIGHT, false);
	}

	private static FailoverCall call(Candidates candidates) {
		return new FailoverCall(candidates, new Attempts(), NOW, Duration.ofSeconds(30), false, true,
				PriorityClass.NONE);
	}

	private static FailoverCall sent(Candidates candidates, BackendDeployment first) {
		FailoverCall call = call(candidates);
		call.start(first);
		return call;
	}

	private static HttpHeaders headers(String name, String value) {
		HttpHeaders headers = new HttpHeaders();
		headers.set(name, value);
		return headers;
	}

	private static BackendDeployment deployment(String name, int priority) {
		return new BackendDeployment(new Backend(name, URI.create("https://" + name + ".openai.azure.com"),
				new ApiKey("k-" + name), priority, 1), "gpt-4o");
	}

	/** An Entra ID credential whose token could not be obtained. */
	private static final class WithoutToken implements BackendCredential {

		@Override
		public void writeTo(HttpHeaders headers) {
		}

		@Override
		public boolean usable() {
			return false;
		}

		@Override
		public Mono<Boolean> renewAfterRejection(HttpHeaders sent) {
			return Mono.just(false);
		}

	}

}
