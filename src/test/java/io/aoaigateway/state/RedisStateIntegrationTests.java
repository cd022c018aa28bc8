package io.aoaigateway.state;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.aoaigateway.Eventually;
import io.aoaigateway.GatewayFixtures;
import io.aoaigateway.GatewayInstance;
import io.aoaigateway.RedisProcess;
import io.aoaigateway.TcpDelayProxy;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A whole gateway on a Redis of the test's own, through faults: far away, down at
 * start-up, slow once, paused, restarted empty. Connecting is not part of any call's
 * time, one slow call does not make the store degraded, a run of failures does, and it
 * recovers without a restart. Figures for docs/reliability.md are printed as
 * {@code FIGURE ...} lines.
 */
class RedisStateIntegrationTests {

	private static final Log logger = LogFactory.getLog(RedisStateIntegrationTests.class);

	private static final String RESERVE_ERRORS = "aoai_gateway_state_errors_total{operation=\"quota.reserve\"}";

	private static final String RESERVE_SHORT_CIRCUITED = "aoai_gateway_state_short_circuited_total{operation=\"quota.reserve\"}";

	private static final String ADMITTED = "aoai_gateway_quota_admissions_total{outcome=\"admitted\"}";

	private static final String UNMETERED = "aoai_gateway_quota_admissions_total{outcome=\"unmetered\"}";

	@Test
	void startWhenRedisIsAZoneAwayThenReadyOnlyAfterWarmUpAndTheFirstBurstIsMetered() throws Exception {
		try (RedisProcess redis = RedisProcess.start();
				TcpDelayProxy proxy = TcpDelayProxy.start(redis.port(), Duration.ofMillis(40))) {
			long start = System.nanoTime();
			try (GatewayInstance gateway = gateway("redis://127.0.0.1:" + proxy.port(), Map.of())) {
				String readiness = awaitReadiness(gateway, (status) -> status.getStatusCode().value() == 200);
				long readyMillis = millisSince(start);

				List<Integer> statuses = burst(gateway, 30);

				String metrics = gateway.scrape();
				assertThat(readiness).contains("\"warm\":true");
				assertThat(statuses).hasSize(30).containsOnly(200);
				assertThat(value(metrics, ADMITTED)).isEqualTo(30);
				assertThat(value(metrics, RESERVE_ERRORS)).isZero();
				assertThat(value(metrics, UNMETERED)).isZero();
				assertThat(metrics).contains("aoai_gateway_state_degraded 0.0");
				figure("Redis 40 ms each way, cold replica | time from start to ready " + readyMillis + " ms (warm-up: "
						+ warmUpMillis(readiness) + " ms); first burst of 30: 30 metered, 0 unmetered");
			}
		}
	}

	@Test
	void startWhenRedisIsDownThenReadyAtTheBoundWithThePolicyAndRecoversWhenRedisStarts() throws Exception {
		try (RedisProcess redis = RedisProcess.start()) {
			redis.kill();
			long start = System.nanoTime();
			try (GatewayInstance gateway = gateway(redis.url(),
					Map.of("aoai.state.startup-timeout", "8s", "aoai.state.failure-policy", "fail-closed"))) {
				ResponseEntity<String> whileStarting = readiness(gateway);
				awaitReadiness(gateway, (status) -> status.getStatusCode().value() == 200);
				long readyMillis = millisSince(start);
				ResponseEntity<String> refused = chat(gateway, "bob");
				String down = gateway.scrape();

				long restarted = System.nanoTime();
				redis.restart();
				awaitMetrics(gateway, (metrics) -> metrics.contains("aoai_gateway_state_degraded 0.0"));
				long recoveredMillis = millisSince(restarted);
				ResponseEntity<String> served = chat(gateway, "bob");

				assertThat(whileStarting.getStatusCode().value()).isEqualTo(503);
				assertThat(readyMillis).isGreaterThanOrEqualTo(8_000);
				assertThat(refused.getStatusCode().value()).isEqualTo(503);
				assertThat(down).contains("aoai_gateway_state_degraded 1.0");
				assertThat(value(down, RESERVE_SHORT_CIRCUITED)).isEqualTo(1);
				assertThat(served.getStatusCode().value()).isEqualTo(200);
				assertThat(value(gateway.scrape(), ADMITTED)).isEqualTo(1);
				figure("Redis down at start-up (bound 8 s), fail-closed | ready after " + readyMillis
						+ " ms; call meanwhile: 503, not attempted (short-circuited); Redis started: recovered in "
						+ recoveredMillis + " ms, next call metered");
			}
		}
	}

	@Test
	void storeWhenOneCallIsSlowThenNotDegradedAndWhenPausedThenFailsFastAndRecovers() throws Exception {
		try (RedisProcess redis = RedisProcess.start();
				TcpDelayProxy proxy = TcpDelayProxy.start(redis.port(), Duration.ZERO)) {
			try (GatewayInstance gateway = gateway("redis://127.0.0.1:" + proxy.port(),
					Map.of("aoai.state.timeout", "500ms"))) {
				awaitReadiness(gateway, (status) -> status.getStatusCode().value() == 200);
				assertThat(burst(gateway, 5)).containsOnly(200);

				proxy.delay(Duration.ofMillis(700));
				assertThat(chat(gateway, "slow").getStatusCode().value()).isEqualTo(200);
				proxy.delay(Duration.ZERO);
				String afterSlowCall = gateway.scrape();

				long paused = System.nanoTime();
				redis.pause();
				List<Long> whilePaused = timedBurst(gateway, 20);
				long detectMillis = millisSince(paused);
				List<Long> afterOpen = timedBurst(gateway, 10);
				String open = gateway.scrape();
				long resumed = System.nanoTime();
				redis.resume();
				awaitMetrics(gateway, (metrics) -> metrics.contains("aoai_gateway_state_degraded 0.0"));
				long resumeRecoveryMillis = millisSince(resumed);
				double admittedBeforeRestart = value(gateway.scrape(), ADMITTED);

				long restarted = System.nanoTime();
				redis.restart();
				// Calls that come before Lettuce has reconnected go unmetered; the first
				// one after is charged, its script loaded again after NOSCRIPT.
				awaitCondition(() -> chat(gateway, "after-restart").getStatusCode().value() == 200
						&& value(gateway.scrape(), ADMITTED) > admittedBeforeRestart);
				long restartRecoveryMillis = millisSince(restarted);

				assertThat(value(afterSlowCall, RESERVE_ERRORS)).isEqualTo(1);
				assertThat(afterSlowCall).contains("aoai_gateway_state_degraded 0.0");
				// Two or three store operations in a row (cooldowns, reservation), each
				// given up after 500 ms, on a busy machine.
				assertThat(whilePaused).allMatch((millis) -> millis < 3_000);
				assertThat(open).contains("aoai_gateway_state_degraded 1.0");
				assertThat(value(open, RESERVE_SHORT_CIRCUITED)).isGreaterThanOrEqualTo(10);
				assertThat(redis.command("DBSIZE")).isNotEqualTo(":0");
				figure("one call slower than the 500 ms budget | 1 error, not degraded");
				figure("Redis paused (SIGSTOP), 20 concurrent calls then 10 | first 20 done in " + detectMillis
						+ " ms (slowest " + max(whilePaused) + " ms), circuit open; next 10 answered in at most "
						+ max(afterOpen) + " ms; short-circuited " + (long) value(open, RESERVE_SHORT_CIRCUITED)
						+ " reservations; unmetered " + (long) value(open, UNMETERED));
				figure("Redis resumed | circuit closed after " + resumeRecoveryMillis + " ms, no traffic needed");
				figure("Redis restarted empty (scripts gone) | metered again after " + restartRecoveryMillis
						+ " ms, scripts reloaded by NOSCRIPT fallback");
			}
		}
	}

	private static GatewayInstance gateway(String redisUrl, Map<String, Object> overrides) {
		Map<String, Object> properties = new LinkedHashMap<>();
		properties.put("aoai.state.store", "redis");
		properties.put("aoai.state.key-prefix", "aoai-test:" + UUID.randomUUID() + ":");
		properties.put("spring.data.redis.url", redisUrl);
		properties.put("management.endpoint.health.show-details", "always");
		properties.put("management.endpoint.health.group.readiness.show-details", "always");
		properties.put("aoai.quota.policies[0].name", "user-default");
		properties.put("aoai.quota.policies[0].scope", "user");
		properties.put("aoai.quota.policies[0].tokens-per-minute", 1_000_000);
		properties.putAll(overrides);
		return GatewayInstance.start(properties);
	}

	private static List<Integer> burst(GatewayInstance gateway, int calls) {
		return Flux.range(0, calls)
			.flatMap((i) -> chatAsync(gateway, "user-" + i).map((answer) -> answer.getStatusCode().value()), calls)
			.collectList()
			.block(Duration.ofSeconds(60));
	}

	private static List<Long> timedBurst(GatewayInstance gateway, int calls) {
		return Flux.range(0, calls).flatMap((i) -> Mono.defer(() -> {
			long start = System.nanoTime();
			return chatAsync(gateway, "user-" + i).map((answer) -> {
				assertThat(answer.getStatusCode().value()).isEqualTo(200);
				return millisSince(start);
			});
		}), calls).collectList().block(Duration.ofSeconds(60));
	}

	private static ResponseEntity<String> chat(GatewayInstance gateway, String user) {
		return chatAsync(gateway, user).block(Duration.ofSeconds(30));
	}

	private static Mono<ResponseEntity<String>> chatAsync(GatewayInstance gateway, String user) {
		return gateway.client()
			.post()
			.uri("/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21")
			.headers((headers) -> headers.setBearerAuth(GatewayFixtures.ISSUER.mint(user)))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("""
					{"messages":[{"role":"user","content":"Hello"}],"max_tokens":20}""")
			.exchangeToMono((response) -> response.toEntity(String.class));
	}

	private static ResponseEntity<String> readiness(GatewayInstance gateway) {
		return gateway.client()
			.get()
			.uri("/actuator/health/readiness")
			.exchangeToMono((response) -> response.toEntity(String.class))
			.block(Duration.ofSeconds(10));
	}

	private static String awaitReadiness(GatewayInstance gateway, Predicate<ResponseEntity<String>> condition) {
		return String.valueOf(poll(() -> readiness(gateway), condition).getBody());
	}

	private static void awaitMetrics(GatewayInstance gateway, Predicate<String> condition) {
		poll(gateway::scrape, condition);
	}

	private static void awaitCondition(Supplier<Boolean> condition) {
		poll(condition, Boolean::booleanValue);
	}

	// Asks again, on the test's thread, until the answer fits or 30 s have passed.
	private static <T> T poll(Supplier<T> question, Predicate<T> fits) {
		return Eventually.eventually(question, fits, Duration.ofSeconds(30));
	}

	private static double value(String metrics, String series) {
		Matcher matcher = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(metrics);
		return matcher.find() ? Double.parseDouble(matcher.group(1)) : 0;
	}

	private static long warmUpMillis(String readiness) {
		Matcher matcher = Pattern.compile("\"warmUpMillis\":(\\d+)").matcher(readiness);
		return matcher.find() ? Long.parseLong(matcher.group(1)) : -1;
	}

	private static long millisSince(long startNanos) {
		return (System.nanoTime() - startNanos) / 1_000_000;
	}

	private static long max(List<Long> values) {
		return values.stream().mapToLong(Long::longValue).max().orElse(0);
	}

	private static void figure(String line) {
		logger.info("FIGURE " + line);
	}

}
