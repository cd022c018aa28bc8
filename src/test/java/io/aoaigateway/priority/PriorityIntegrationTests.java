package io.aoaigateway.priority;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.aoaigateway.Eventually;
import io.aoaigateway.FakeClock;
import io.aoaigateway.GatewayFixtures;
import io.aoaigateway.GatewayInstance;
import io.aoaigateway.simulator.AzureOpenAiSimulator;
import io.aoaigateway.simulator.Capacity;
import io.aoaigateway.simulator.ScriptedAnswer;
import io.aoaigateway.simulator.SimulatorSettings;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Priority classes through a running gateway, against a simulated resource of its own
 * that serves one deployment per test (cooldowns are per deployment): an interactive
 * class that reserves half the capacity and may wait 10 s for it, queueing at most two
 * calls (two per caller), and a batch class that never waits.
 */
class PriorityIntegrationTests {

	private static final Log logger = LogFactory.getLog(PriorityIntegrationTests.class);

	// The simulator's windows of capacity never end by themselves: its clock stands
	// still.
	private static final AzureOpenAiSimulator SIM = AzureOpenAiSimulator
		.start(SimulatorSettings
			.defaults("sim-p", "key-of-sim-p", Set.of("served-after-cooldown", "batch-refused", "queue-bounds",
					"header", "overload", "overload-control"))
			.withClock(new FakeClock(Instant.parse("2026-11-30T12:00:00Z"))));

	// 120 calls a window; 40 interactive and 120 batch calls offered, 8 at a time.
	private static final long CAPACITY = 120;

	private static final int INTERACTIVE_CALLS = 40;

	private static final int BATCH_CALLS = 120;

	private static final String HELLO = """
			{"messages":[{"role":"user","content":"Hello"}],"max_tokens":5}""";

	private static GatewayInstance gateway;

	@BeforeAll
	static void start() {
		Map<String, Object> properties = new LinkedHashMap<>();
		properties.put("aoai.routing.backends[2].name", "sim-p");
		properties.put("aoai.routing.backends[2].url", SIM.baseUrl().toString());
		properties.put("aoai.routing.backends[2].api-key", "key-of-sim-p");
		properties.put("aoai.routing.backends[2].deployments",
				"served-after-cooldown,batch-refused,queue-bounds,header,overload");
		properties.put("aoai.priority.classes[0].name", "interactive");
		properties.put("aoai.priority.classes[0].reserved-share", "50");
		properties.put("aoai.priority.classes[0].max-wait", "10s");
		properties.put("aoai.priority.classes[0].max-queued", "2");
		properties.put("aoai.priority.classes[0].max-queued-per-caller", "2");
		properties.put("aoai.priority.classes[1].name", "batch");
		properties.put("aoai.priority.rules[0].class", "interactive");
		properties.put("aoai.priority.rules[0].roles", "Gateway.Interactive");
		properties.put("aoai.priority.release-jitter", "20ms");
		gateway = GatewayInstance.start(properties);
	}

	@AfterAll
	static void stop() {
		gateway.close();
		SIM.close();
	}

	@Test
	void interactiveWhenTheOnlyBackendThrottlesThenTheCallWaitsAndIsServedWithoutA429() {
		SIM.enqueue(ScriptedAnswer.throttled(Duration.ofMillis(600)));

		ResponseEntity<String> answer = chat("served-after-cooldown", interactive("alice"), null).block();

		assertThat(answer.getStatusCode().value()).isEqualTo(200);
		assertThat(answer.getHeaders().getFirst("x-aoai-priority")).isEqualTo("interactive");
		assertThat(Long.parseLong(answer.getHeaders().getFirst("x-aoai-priority-wait-ms"))).isBetween(550L, 9_000L);
		assertThat(answer.getHeaders().containsHeader(HttpHeaders.RETRY_AFTER)).isFalse();
		assertThat(answer.getBody()).contains("chat.completion");
		assertThat(received("served-after-cooldown")).isEqualTo(2);
		assertThat(waits("released").count()).isGreaterThanOrEqualTo(1);
	}

	@Test
	void batchWhenTheOnlyBackendThrottlesThenRefusedAtOnceUntilHalfTheCapacityIsBack() {
		SIM.enqueue(ScriptedAnswer.throttled(Duration.ofSeconds(3)));

		ResponseEntity<String> answer = chat("batch-refused", batch("bob"), null).block();

		assertThat(answer.getStatusCode().value()).isEqualTo(429);
		assertThat(answer.getHeaders().getFirst("x-aoai-priority")).isEqualTo("batch");
		// A 429 leaves no capacity; batch may use it once the half kept for interactive
		// calls has come back: 30 s of the minute in which it refills, not the 3 s after
		// which an interactive call may go.
		assertThat(Long.parseLong(answer.getHeaders().getFirst(HttpHeaders.RETRY_AFTER))).isBetween(29L, 30L);
		assertThat(answer.getBody()).contains("\"code\":\"429\"").contains("throttled");
		assertThat(received("batch-refused")).isEqualTo(1);
		assertThat(refusals("no_wait")).isGreaterThanOrEqualTo(1);
	}

	@Test
	void queueWhenFullThenRefusedAndACallWhoseClientLeftLeavesItUnsent() {
		SIM.enqueue(ScriptedAnswer.throttled(Duration.ofSeconds(2)));
		long cancelledBefore = waits("cancelled").count();
		Disposable first = chat("queue-bounds", interactive("alice"), null).subscribe();
		Eventually.eventually(PriorityIntegrationTests::queued, (queued) -> queued == 1, Duration.ofSeconds(10));
		Mono<ResponseEntity<String>> second = chat("queue-bounds", interactive("alice"), null).cache();
		second.subscribe();
		Eventually.eventually(PriorityIntegrationTests::queued, (queued) -> queued == 2, Duration.ofSeconds(10));

		ResponseEntity<String> full = chat("queue-bounds", interactive("carol"), null).block();
		assertThat(full.getStatusCode().value()).isEqualTo(429);
		assertThat(full.getBody()).contains("too many interactive calls are waiting");
		assertThat(full.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isIn("1", "2");

		first.dispose();
		Eventually.eventually(PriorityIntegrationTests::queued, (queued) -> queued == 1, Duration.ofSeconds(10));
		ResponseEntity<String> third = chat("queue-bounds", interactive("carol"), null).block();

		assertThat(third.getStatusCode().value()).isEqualTo(200);
		assertThat(second.block().getStatusCode().value()).isEqualTo(200);
		// The 429, then the two calls still waiting; never the one whose client left.
		assertThat(received("queue-bounds")).isEqualTo(3);
		assertThat(waits("cancelled").count()).isEqualTo(cancelledBefore + 1);
		assertThat(queued()).isZero();
	}

	@Test
	void headerWhenItAsksForALowerClassThenGrantedAndWhenItNamesNoneThen400() {
		ResponseEntity<String> lowered = chat("header", interactive("alice"), "batch").block();
		ResponseEntity<String> raised = chat("header", batch("bob"), "interactive").block();
		ResponseEntity<String> unknown = chat("header", batch("bob"), "urgent").block();

		assertThat(lowered.getHeaders().getFirst("x-aoai-priority")).isEqualTo("batch");
		assertThat(raised.getHeaders().getFirst("x-aoai-priority")).isEqualTo("batch");
		assertThat(unknown.getStatusCode().value()).isEqualTo(400);
		assertThat(unknown.getBody()).contains("interactive, batch");
		assertThat(received("header")).isEqualTo(2);
	}

	@Test
	void overloadWhenTwoClassesThenInteractiveKeepsBeingServedAndBatchTakesTheRefusals() {
		Map<String, Outcomes> outcomes = overload(gateway, "overload");

		Outcomes interactive = outcomes.get("interactive");
		Outcomes batch = outcomes.get("batch");
		assertThat(interactive.served()).as("interactive served of " + INTERACTIVE_CALLS)
			.isGreaterThanOrEqualTo(INTERACTIVE_CALLS * 95 / 100);
		assertThat(interactive.served() + batch.served()).isLessThanOrEqualTo(CAPACITY);
		// Batch stops once half the capacity is left, give or take the calls in flight.
		assertThat(batch.served()).isBetween(CAPACITY / 2 - 10, CAPACITY / 2 + 10);
		assertThat(batch.refused()).isEqualTo(BATCH_CALLS - batch.served());
		assertThat(batch.other() + interactive.other()).isZero();
		assertThat(batch.refusedHint()).contains("kept for calls of a higher priority than batch");
	}

	@Test
	void overloadWhenNoClassesThenInteractiveSuffersLikeBatch() {
		Map<String, Object> properties = new LinkedHashMap<>();
		properties.put("aoai.routing.backends[2].name", "sim-p");
		properties.put("aoai.routing.backends[2].url", SIM.baseUrl().toString());
		properties.put("aoai.routing.backends[2].api-key", "key-of-sim-p");
		properties.put("aoai.routing.backends[2].deployments", "overload-control");
		properties.put("aoai.warm-up.enabled", false);
		try (GatewayInstance plain = GatewayInstance.start(properties)) {
			Map<String, Outcomes> outcomes = overload(plain, "overload-control");

			// The control for the test above: the same load without classes serves
			// interactive calls no better than batch ones (120 of 160 calls at most).
			assertThat(outcomes.get("interactive").served()).isLessThan(INTERACTIVE_CALLS * 95 / 100);
		}
	}

	// 40 interactive and 120 batch calls in a fixed shuffled order, 8 at a time, on a
	// deployment that has just been given 120 calls of capacity.
	private static Map<String, Outcomes> overload(GatewayInstance target, String name) {
		SIM.capacity(name).set(new Capacity(CAPACITY, Capacity.UNLIMITED, Duration.ofHours(1)));
		List<String> order = new ArrayList<>();
		for (int i = 0; i < INTERACTIVE_CALLS; i++) {
			order.add("interactive");
		}
		for (int i = 0; i < BATCH_CALLS; i++) {
			order.add("batch");
		}
		Collections.shuffle(order, new Random(16));
		String interactiveToken = interactive("ines");
		String batchToken = batch("bruno");
		Map<String, Outcomes> outcomes = new ConcurrentHashMap<>();
		outcomes.put("interactive", new Outcomes());
		outcomes.put("batch", new Outcomes());
		Flux.fromIterable(order)
			.flatMap((kind) -> chat(target, name, kind.equals("interactive") ? interactiveToken : batchToken, null)
				.doOnNext((answer) -> outcomes.get(kind).add(answer)), 8)
			.blockLast(Duration.ofMinutes(1));
		logger.info(name + ": " + outcomes);
		return outcomes;
	}

	private static Mono<ResponseEntity<String>> chat(String deployment, String token, String priority) {
		return chat(gateway, deployment, token, priority);
	}

	private static Mono<ResponseEntity<String>> chat(GatewayInstance target, String deployment, String token,
			String priority) {
		return target.client()
			.post()
			.uri("/openai/deployments/" + deployment + "/chat/completions?api-version=2024-10-21")
			.headers((headers) -> {
				headers.setBearerAuth(token);
				if (priority != null) {
					headers.set("x-aoai-priority", priority);
				}
			})
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(HELLO)
			.exchangeToMono((response) -> response.toEntity(String.class));
	}

	private static String interactive(String user) {
		return GatewayFixtures.ISSUER.mint(user, (claims) -> claims.claim("roles", List.of("Gateway.Interactive")));
	}

	private static String batch(String user) {
		return GatewayFixtures.ISSUER.mint(user);
	}

	private static long received(String deployment) {
		return SIM.received().stream().filter((request) -> request.path().contains("/" + deployment + "/")).count();
	}

	private static double queued() {
		Gauge gauge = registry().find("aoai.gateway.admission.queued").tag("class", "interactive").gauge();
		return (gauge != null) ? gauge.value() : -1;
	}

	private static Timer waits(String outcome) {
		Timer timer = registry().find("aoai.gateway.admission.wait")
			.tag("class", "interactive")
			.tag("outcome", outcome)
			.timer();
		return (timer != null) ? timer
				: Timer.builder("none").register(new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
	}

	private static double refusals(String reason) {
		return registry().find("aoai.gateway.priority.refusals")
			.tag("reason", reason)
			.counters()
			.stream()
			.mapToDouble((counter) -> counter.count())
			.sum();
	}

	private static MeterRegistry registry() {
		return gateway.bean(MeterRegistry.class);
	}

	/** What one class's calls got. */
	private static final class Outcomes {

		private final AtomicInteger served = new AtomicInteger();

		private final AtomicInteger refused = new AtomicInteger();

		private final AtomicInteger other = new AtomicInteger();

		private volatile String refusedHint = "";

		void add(ResponseEntity<String> answer) {
			int status = answer.getStatusCode().value();
			if (status == 200) {
				this.served.incrementAndGet();
			}
			else if (status == 429) {
				this.refused.incrementAndGet();
				this.refusedHint = String.valueOf(answer.getBody());
			}
			else {
				this.other.incrementAndGet();
			}
		}

		long served() {
			return this.served.get();
		}

		long refused() {
			return this.refused.get();
		}

		long other() {
			return this.other.get();
		}

		String refusedHint() {
			return this.refusedHint;
		}

		@Override
		public String toString() {
			return "served " + this.served + ", refused " + this.refused + ", other " + this.other;
		}

	}

}
