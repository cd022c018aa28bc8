package io.aoaigateway.quota;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.aoaigateway.leaks.TestClients;
import io.aoaigateway.FakeClock;
import io.aoaigateway.GatewayInstance;
import io.aoaigateway.RedisFixtures;
import io.aoaigateway.RedisProcess;
import io.aoaigateway.TcpDelayProxy;
import io.aoaigateway.local.LocalTokenIssuer;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two gateway replicas sharing one Redis of the test's own, under a burst of 60
 * concurrent calls on each, with Redis healthy, 80 ms away, paused in the middle of the
 * burst, and right after the replicas start. Whatever Redis does, once the journals have
 * drained every admitted call is charged exactly once (the window's {@code used} is the
 * sum of the usage the callers were answered with), no reservation is left behind, and
 * the window exceeds its limit at most by the documented bound.
 */
class SharedQuotaFaultIntegrationTests {

	private static final Log logger = LogFactory.getLog(SharedQuotaFaultIntegrationTests.class);

	static final long PER_MINUTE = 1_000;

	static final long PER_DAY = 10_000;

	static final int CALLS_PER_REPLICA = 60;

	static final FakeClock CLOCK = new FakeClock(Instant.now());

	static final LocalTokenIssuer ISSUER = LocalTokenIssuer.start(0, CLOCK);

	private static final JsonMapper JSON = JsonMapper.shared();

	private static final Duration WAIT = Duration.ofSeconds(60);

	private static final ConnectionProvider CONNECTIONS = ConnectionProvider.builder("burst")
		.maxConnections(2 * CALLS_PER_REPLICA + 10)
		.pendingAcquireMaxCount(-1)
		.build();

	@AfterAll
	static void stop() {
		ISSUER.close();
		CONNECTIONS.dispose();
	}

	@Test
	void burstWhenReplicasStartColdAndThenWarmThenEveryCallIsChargedOnceAndNothingIsLeftReserved() {
		String prefix = "aoai-fault:" + UUID.randomUUID() + ":";
		try (RedisProcess redis = RedisProcess.start();
				GatewayInstance first = replica(redis.url(), prefix, "250ms");
				GatewayInstance second = replica(redis.url(), prefix, "250ms")) {
			RedisFixtures.Connections connections = new RedisFixtures.Connections(redis.url());
			Burst cold = burst(first, second, () -> {
			});
			Outcome coldOutcome = settle(cold, connections.template(), prefix, first, second);
			report("(d) replicas started cold, first calls at once, timeout 250ms", cold, coldOutcome);

			Burst warm = burst(first, second, () -> {
			});
			Outcome warmOutcome = settle(warm, connections.template(), prefix, first, second);
			report("(a) healthy Redis, warm replicas, timeout 250ms", warm, warmOutcome);

			for (Outcome outcome : List.of(coldOutcome, warmOutcome)) {
				assertThat(outcome.reserved()).isZero();
				assertThat(outcome.reservationKeys()).isZero();
			}
			assertChargedOnce(cold, coldOutcome);
			assertChargedOnce(warm, warmOutcome);
			// Healthy Redis: exact, whatever share of reserves went local on a cold
			// start.
			assertThat(warmOutcome.usedMinute()).isLessThanOrEqualTo(PER_MINUTE);
			assertWithinBound(coldOutcome);
		}
	}

	@Test
	void burstWhenRedisIsFarAwayOrPausedThenEveryCallIsChargedOnceWithinTheBound() throws Exception {
		String prefix = "aoai-fault:" + UUID.randomUUID() + ":";
		try (RedisProcess redis = RedisProcess.start();
				TcpDelayProxy proxy = TcpDelayProxy.start(redis.port(), Duration.ofMillis(40));
				GatewayInstance first = replica("redis://127.0.0.1:" + proxy.port(), prefix, "1s");
				GatewayInstance second = replica("redis://127.0.0.1:" + proxy.port(), prefix, "1s")) {
			RedisFixtures.Connections connections = new RedisFixtures.Connections(redis.url());
			warmUp(first, second);
			Burst far = burst(first, second, () -> {
			});
			Outcome farOutcome = settle(far, connections.template(), prefix, first, second);
			report("(b) Redis 80 ms round trip (proxy 40 ms each way), timeout 1s", far, farOutcome);

			AtomicLong pausedAt = new AtomicLong();
			Burst paused = burst(first, second, () -> {
				pausedAt.set(System.nanoTime());
				redis.pause();
			});
			// Resumed once every call of the burst was answered while Redis was frozen.
			redis.resume();
			long pausedFor = System.nanoTime() - pausedAt.get();
			Outcome pausedOutcome = settle(paused, connections.template(), prefix, first, second);
			report("(c) Redis paused " + Duration.ofNanos(pausedFor).toMillis()
					+ " ms from the 20th answer to the end of the burst, 80 ms away, timeout 1s", paused,
					pausedOutcome);
			CLOCK.advance(Duration.ofMinutes(1));
			int afterwards = call(client(first), paused.token()).status();

			assertThat(farOutcome.reserved()).isZero();
			assertThat(farOutcome.reservationKeys()).isZero();
			assertChargedOnce(far, farOutcome);
			assertWithinBound(farOutcome);
			assertThat(pausedOutcome.reserved()).isZero();
			assertThat(pausedOutcome.reservationKeys()).isZero();
			assertChargedOnce(paused, pausedOutcome);
			assertWithinBound(pausedOutcome);
			assertThat(afterwards).isEqualTo(200);
		}
	}

	private static void assertWithinBound(Outcome outcome) {
		long bound = (outcome.outcomes().get("admitted_local") > 0) ? 2 * PER_MINUTE : PER_MINUTE;
		assertThat(outcome.usedMinute()).isLessThanOrEqualTo(bound);
		assertThat(outcome.outcomes().get("unmetered")).isZero();
	}

	private static void assertChargedOnce(Burst burst, Outcome outcome) {
		assertThat(burst.admitted()).isPositive();
		assertThat(outcome.usedMinute()).isEqualTo(burst.usage());
		assertThat(outcome.usedDay()).isEqualTo(burst.usage());
	}

	private static void warmUp(GatewayInstance... replicas) {
		String token = ISSUER.mint("warm-up-" + UUID.randomUUID());
		for (GatewayInstance replica : replicas) {
			call(client(replica), token);
		}
	}

	/**
	 * 60 concurrent calls on each replica, all from one new user; {@code midway} runs
	 * after the 20th answer (and blocks the burst's end until it has run).
	 */
	private static Burst burst(GatewayInstance first, GatewayInstance second, Runnable midway) {
		Map<String, Double> before = counters(first, second);
		String subject = "burst-" + UUID.randomUUID();
		String token = ISSUER.mint(subject);
		WebClient[] clients = { client(first), client(second) };
		AtomicInteger answered = new AtomicInteger();
		CountDownLatch midwayDone = new CountDownLatch(1);
		Map<Integer, AtomicInteger> statuses = new LinkedHashMap<>();
		AtomicLong usage = new AtomicLong();
		long started = System.nanoTime();
		List<Answer> answers = Flux.range(0, 2 * CALLS_PER_REPLICA)
			.flatMap((i) -> Mono.fromCallable(() -> call(clients[i % 2], token)).doOnNext((answer) -> {
				if (answered.incrementAndGet() == 20) {
					midway.run();
					midwayDone.countDown();
				}
			}).subscribeOn(reactor.core.scheduler.Schedulers.boundedElastic()), 2 * CALLS_PER_REPLICA)
			.collectList()
			.block(WAIT);
		awaitLatch(midwayDone);
		for (Answer answer : answers) {
			statuses.computeIfAbsent(answer.status(), (status) -> new AtomicInteger()).incrementAndGet();
			usage.addAndGet(answer.tokens());
		}
		Map<Integer, Integer> counts = new LinkedHashMap<>();
		statuses.forEach((status, count) -> counts.put(status, count.get()));
		return new Burst(before, subject, token, answers.size(), counts, usage.get(),
				Duration.ofNanos(System.nanoTime() - started));
	}

	private static void awaitLatch(CountDownLatch latch) {
		try {
			assertThat(latch.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static Answer call(WebClient client, String token) {
		return client.post()
			.uri("/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21")
			.headers((headers) -> headers.setBearerAuth(token))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("""
					{"messages":[{"role":"user","content":"Count to three, please."}],"max_tokens":40}""")
			.exchangeToMono((response) -> response.bodyToMono(String.class)
				.defaultIfEmpty("")
				.map((body) -> new Answer(response.statusCode().value(),
						(response.statusCode().value() == 200) ? tokens(body) : 0)))
			.block(WAIT);
	}

	private static long tokens(String body) {
		JsonNode usage = JSON.readTree(body).path("usage");
		return usage.path("prompt_tokens").asLong() + usage.path("completion_tokens").asLong();
	}

	/**
	 * Waits until both journals are empty and nothing is reserved, and reads what Redis
	 * holds for the burst's user.
	 */
	private static Outcome settle(Burst burst, ReactiveStringRedisTemplate redis, String prefix,
			GatewayInstance... replicas) {
		long started = System.nanoTime();
		await().atMost(WAIT).until(() -> {
			for (GatewayInstance replica : replicas) {
				if (metric(replica, "aoai_gateway_quota_journal_size") != 0) {
					return false;
				}
			}
			return windows(redis, prefix, burst).reserved() == 0;
		});
		Outcome outcome = windows(redis, prefix, burst);
		Map<String, Double> after = counters(replicas);
		Map<String, Double> outcomes = new LinkedHashMap<>();
		after.forEach((name, value) -> outcomes.put(name, value - burst.countersBefore().getOrDefault(name, 0.0)));
		return new Outcome(outcome.usedMinute(), outcome.usedDay(), outcome.reserved(), outcome.reservationKeys(),
				outcomes, outcomes.get("replayed"), outcomes.get("dropped"),
				Duration.ofNanos(System.nanoTime() - started));
	}

	private static Map<String, Double> counters(GatewayInstance... replicas) {
		Map<String, Double> counters = new LinkedHashMap<>();
		for (String name : List.of("admitted", "admitted_local", "unmetered", "rejected_rate", "rejected_budget",
				"refused_store_down")) {
			double sum = 0;
			for (GatewayInstance replica : replicas) {
				sum += metric(replica, "aoai_gateway_quota_admissions_total{outcome=\"" + name + "\"}");
			}
			counters.put(name, sum);
		}
		for (String name : List.of("replayed", "dropped")) {
			double sum = 0;
			for (GatewayInstance replica : replicas) {
				sum += metric(replica, "aoai_gateway_quota_journal_total{outcome=\"" + name + "\"}");
			}
			counters.put(name, sum);
		}
		return counters;
	}

	private static Outcome windows(ReactiveStringRedisTemplate redis, String prefix, Burst burst) {
		String subject = UUID.nameUUIDFromBytes(burst.subject().getBytes(StandardCharsets.UTF_8)).toString();
		List<String> keys = redis.scan(ScanOptions.scanOptions().match(prefix + "quota:user:" + subject + ":*").build())
			.collectList()
			.block(WAIT);
		long usedMinute = 0;
		long usedDay = 0;
		long reserved = 0;
		long reservationKeys = 0;
		for (String key : keys) {
			if (key.endsWith(":r")) {
				reservationKeys += redis.opsForZSet().size(key).block(WAIT);
				continue;
			}
			Map<String, Long> fields = new LinkedHashMap<>();
			redis.<String, String>opsForHash()
				.entries(key)
				.doOnNext((entry) -> fields.put(entry.getKey(), Long.parseLong(entry.getValue())))
				.blockLast(WAIT);
			long used = fields.getOrDefault("used", 0L);
			if (key.matches(".*:m\\d+$")) {
				usedMinute += used;
			}
			else if (key.matches(".*:d[0-9-]+$")) {
				usedDay += used;
			}
			reserved += fields.getOrDefault("reserved", 0L);
		}
		return new Outcome(usedMinute, usedDay, reserved, reservationKeys, Map.of(), 0, 0, Duration.ZERO);
	}

	private static double metric(GatewayInstance replica, String series) {
		String scrape = replica.scrape();
		Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape);
		return matcher.find() ? Double.parseDouble(matcher.group(1)) : 0;
	}

	private static void report(String scenario, Burst burst, Outcome outcome) {
		long overshoot = Math.max(0, outcome.usedMinute() - PER_MINUTE);
		// Exact while every call was reserved in Redis; one more limit (two replicas)
		// when some were admitted against a replica's local view.
		long bound = (outcome.outcomes().get("admitted_local") > 0) ? PER_MINUTE : 0;
		logger.info(String
			.format("QUOTA-FAULT | %s | tried %d, answered %s in %d ms | admitted %.0f (shared %.0f, local %.0f), unmetered %.0f,"
					+ " refused %.0f, store-down %.0f | charged %d of %d tokens answered | phantom reservations %d (%d tokens) |"
					+ " used %d of %d a minute, overshoot %d (bound %d) | journal replayed %.0f, dropped %.0f | settled %d ms after the burst",
					scenario, burst.tried(), burst.statuses(), burst.took().toMillis(),
					outcome.outcomes().get("admitted") + outcome.outcomes().get("admitted_local"),
					outcome.outcomes().get("admitted"), outcome.outcomes().get("admitted_local"),
					outcome.outcomes().get("unmetered"),
					outcome.outcomes().get("rejected_rate") + outcome.outcomes().get("rejected_budget"),
					outcome.outcomes().get("refused_store_down"), outcome.usedMinute(), burst.usage(),
					outcome.reservationKeys(), outcome.reserved(), outcome.usedMinute(), PER_MINUTE, overshoot, bound,
					outcome.replayed(), outcome.dropped(), outcome.recovery().toMillis()));
	}

	private static WebClient client(GatewayInstance replica) {
		return WebClient.builder()
			.clientConnector(TestClients.CONNECTOR)
			.baseUrl("http://localhost:" + replica.port())
			.clientConnector(new ReactorClientHttpConnector(HttpClient.create(CONNECTIONS)))
			.build();
	}

	private static GatewayInstance replica(String redisUrl, String prefix, String timeout) {
		Map<String, Object> properties = new LinkedHashMap<>();
		properties.put("aoai.state.store", "redis");
		properties.put("aoai.state.key-prefix", prefix);
		properties.put("aoai.state.timeout", timeout);
		properties.put("spring.data.redis.url", redisUrl);
		properties.put("aoai.auth.jwk-set-uri", ISSUER.jwkSetUri().toString());
		properties.put("aoai.auth.issuers", ISSUER.issuer());
		properties.put("aoai.quota.policies[0].name", "user-default");
		properties.put("aoai.quota.policies[0].scope", "user");
		properties.put("aoai.quota.policies[0].tokens-per-minute", PER_MINUTE);
		properties.put("aoai.quota.policies[0].tokens-per-day", PER_DAY);
		return GatewayInstance.start(properties, CLOCK);
	}

	record Answer(int status, long tokens) {
	}

	record Burst(Map<String, Double> countersBefore, String subject, String token, int tried,
			Map<Integer, Integer> statuses, long usage, Duration took) {

		int admitted() {
			return this.statuses.getOrDefault(200, 0);
		}

	}

	record Outcome(long usedMinute, long usedDay, long reserved, long reservationKeys, Map<String, Double> outcomes,
			double replayed, double dropped, Duration recovery) {
	}

}
