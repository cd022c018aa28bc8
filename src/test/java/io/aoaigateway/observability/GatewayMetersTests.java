package io.aoaigateway.observability;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.aoaigateway.usage.TokenUsage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.simple.SimpleConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link GatewayMeters} against a real registry: one meter per tag set, resolved once and
 * then reused, within a bound on how many sets are kept.
 */
class GatewayMetersTests {

	private static final Log logger = LogFactory.getLog(GatewayMetersTests.class);

	// A clock that stands still, so that no histogram window rotates during a
	// measurement.
	private final SimpleMeterRegistry registry = new SimpleMeterRegistry(SimpleConfig.DEFAULT, new MockClock());

	@Test
	void requestWhenSameTagsThenOneMeterCountsEveryCall() {
		GatewayMeters meters = new GatewayMeters(this.registry);

		meters.request("deployments", "gpt-4o", "east", "200");
		meters.request("deployments", "gpt-4o", "east", "200");
		meters.request("deployments", "gpt-4o", "east", "200");

		assertThat(this.registry.find(GatewayMeters.REQUESTS).counters()).hasSize(1);
		assertThat(requests("200")).isEqualTo(3);
		assertThat(meters.resolvedTagSets()).isOne();
	}

	@Test
	void requestWhenNewTagSetThenRegistersAnotherMeter() {
		GatewayMeters meters = new GatewayMeters(this.registry);

		meters.request("deployments", "gpt-4o", "east", "200");
		meters.request("deployments", "gpt-4o", "east", "429");
		meters.request("deployments", "gpt-4o", "east", "200");

		assertThat(this.registry.find(GatewayMeters.REQUESTS).counters()).hasSize(2);
		assertThat(requests("200")).isEqualTo(2);
		assertThat(requests("429")).isEqualTo(1);
		assertThat(meters.resolvedTagSets()).isEqualTo(2);
	}

	@Test
	void requestWhenCapReachedThenKeepsNoMoreSetsAndStillCountsEveryCall() {
		GatewayMeters meters = new GatewayMeters(this.registry, 3);

		for (int round = 0; round < 2; round++) {
			for (String status : List.of("200", "400", "429", "500", "503")) {
				meters.request("deployments", "gpt-4o", "east", status);
			}
		}

		assertThat(meters.resolvedTagSets()).isEqualTo(3);
		assertThat(this.registry.find(GatewayMeters.REQUESTS).counters()).hasSize(5);
		for (String status : List.of("200", "400", "429", "500", "503")) {
			assertThat(requests(status)).as(status).isEqualTo(2);
		}
	}

	@Test
	void tokensWhenPerUserPastCapThenEveryUserCountedAndSetsBounded() {
		GatewayMeters meters = new GatewayMeters(this.registry, 4);
		TokenUsage usage = new TokenUsage(100, 20, 30, 5);

		for (int round = 0; round < 2; round++) {
			for (int user = 0; user < 10; user++) {
				meters.tokens(usage, "gpt-4o", "east", "app-1", "user-" + user);
			}
		}

		assertThat(meters.resolvedTagSets()).isEqualTo(4);
		for (int user = 0; user < 10; user++) {
			DistributionSummary input = tokens("user-" + user, "input");
			assertThat(input.count()).isEqualTo(2);
			assertThat(input.totalAmount()).isEqualTo(200);
			assertThat(tokens("user-" + user, "reasoning").totalAmount()).isEqualTo(10);
		}
	}

	@Test
	void tokensWhenNoUserThenOneSummaryPerTokenTypeWithoutUserTag() {
		GatewayMeters meters = new GatewayMeters(this.registry);

		meters.tokens(new TokenUsage(100, 20, 30, 5), "gpt-4o", "east", "app-1", null);
		meters.tokens(new TokenUsage(1, 2, 3, 4), "gpt-4o", "east", "app-1", null);

		assertThat(this.registry.find(GatewayMeters.TOKEN_USAGE).summaries()).hasSize(4);
		assertThat(this.registry.find(GatewayMeters.TOKEN_USAGE).tagKeys("aoai.user").summaries()).isEmpty();
		DistributionSummary output = this.registry.get(GatewayMeters.TOKEN_USAGE)
			.tags("gen_ai.request.model", "gpt-4o", "aoai.backend", "east", "aoai.app", "app-1", "gen_ai.token.type",
					"output")
			.summary();
		assertThat(output.count()).isEqualTo(2);
		assertThat(output.totalAmount()).isEqualTo(22);
		assertThat(meters.resolvedTagSets()).isOne();
	}

	@Test
	void overheadWhenRecordedThenKeepsTheAlertBoundaries() {
		GatewayMeters meters = new GatewayMeters(this.registry);

		meters.overhead("deployments", Duration.ofMillis(3));
		meters.overhead("deployments", Duration.ofMillis(70));

		Timer overhead = this.registry.get(GatewayMeters.OVERHEAD).tag("family", "deployments").timer();
		assertThat(overhead.count()).isEqualTo(2);
		CountAtBucket fiftyMillis = null;
		for (CountAtBucket bucket : overhead.takeSnapshot().histogramCounts()) {
			if (bucket.bucket(TimeUnit.MILLISECONDS) == 50) {
				fiftyMillis = bucket;
			}
		}
		assertThat(fiftyMillis).isNotNull();
		assertThat(fiftyMillis.count()).isEqualTo(1);
	}

	@Test
	void operationWhenSameTagsThenOneTimerAddsUp() {
		GatewayMeters meters = new GatewayMeters(this.registry);

		meters.operation("chat", "gpt-4o", Duration.ofMillis(10));
		meters.operation("chat", "gpt-4o", Duration.ofMillis(30));
		meters.operation("embeddings", "gpt-4o", Duration.ofMillis(5));

		Timer chat = this.registry.get(GatewayMeters.OPERATION_DURATION)
			.tags("gen_ai.operation.name", "chat", "gen_ai.request.model", "gpt-4o")
			.timer();
		assertThat(chat.count()).isEqualTo(2);
		assertThat(chat.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(40);
		assertThat(this.registry.find(GatewayMeters.OPERATION_DURATION).timers()).hasSize(2);
	}

	@Test
	void requestWhenManyThreadsMeetANewTagSetThenOneSetKeptAndEveryCallCounted() throws Exception {
		GatewayMeters meters = new GatewayMeters(this.registry);
		int threads = 4;
		int calls = 2_000;
		CountDownLatch start = new CountDownLatch(1);
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		List<Future<?>> done = new ArrayList<>();

		try {
			for (int i = 0; i < threads; i++) {
				done.add(pool.submit(() -> {
					start.await();
					for (int call = 0; call < calls; call++) {
						meters.request("deployments", "gpt-4o", "east", "200");
					}
					return null;
				}));
			}
			start.countDown();
			for (Future<?> future : done) {
				future.get(30, TimeUnit.SECONDS);
			}
		}
		finally {
			pool.shutdownNow();
		}

		assertThat(requests("200")).isEqualTo(threads * calls);
		assertThat(meters.resolvedTagSets()).isOne();
	}

	@Test
	void requestWhenTagSetSeenBeforeThenAllocatesNothingPerCall() {
		ThreadMXBean bean = ManagementFactory.getThreadMXBean();
		assumeTrue(bean instanceof com.sun.management.ThreadMXBean);
		com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
		assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
		GatewayMeters meters = new GatewayMeters(this.registry);
		TokenUsage usage = new TokenUsage(100, 20, 30, 5);
		Duration duration = Duration.ofMillis(3);
		meters.request("deployments", "gpt-4o", "east", "200");
		meters.tokens(usage, "gpt-4o", "east", "app-1", "user-1");
		meters.overhead("deployments", duration);
		int calls = 10_000;

		long before = threads.getCurrentThreadAllocatedBytes();
		for (int i = 0; i < calls; i++) {
			meters.request("deployments", "gpt-4o", "east", "200");
		}
		long afterRequests = threads.getCurrentThreadAllocatedBytes();
		for (int i = 0; i < calls; i++) {
			meters.tokens(usage, "gpt-4o", "east", "app-1", "user-1");
		}
		long afterTokens = threads.getCurrentThreadAllocatedBytes();
		for (int i = 0; i < calls; i++) {
			meters.overhead("deployments", duration);
		}
		long afterOverhead = threads.getCurrentThreadAllocatedBytes();

		double request = (afterRequests - before) / (double) calls;
		double tokens = (afterTokens - afterRequests) / (double) calls;
		double overhead = (afterOverhead - afterTokens) / (double) calls;
		logger.info(String.format("Bytes allocated per call: request %.1f, tokens %.1f, overhead %.1f", request, tokens,
				overhead));
		assertThat(request).isLessThan(64);
		assertThat(tokens).isLessThan(64);
		assertThat(overhead).isLessThan(64);
		assertThat(requests("200")).isEqualTo(calls + 1);
	}

	private double requests(String status) {
		Counter counter = this.registry.get(GatewayMeters.REQUESTS)
			.tags("family", "deployments", "deployment", "gpt-4o", "backend", "east", "status", status)
			.counter();
		return counter.count();
	}

	private DistributionSummary tokens(String user, String type) {
		return this.registry.get(GatewayMeters.TOKEN_USAGE)
			.tags("gen_ai.request.model", "gpt-4o", "aoai.backend", "east", "aoai.app", "app-1", "aoai.user", user,
					"gen_ai.token.type", type)
			.summary();
	}

}
