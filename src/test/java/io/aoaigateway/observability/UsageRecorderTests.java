package io.aoaigateway.observability;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static io.aoaigateway.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link UsageRecorder} with a real Logback appender on {@code aoai.usage}: records are
 * written on the recorder's own thread, and a sink that does not keep up makes records
 * drop (and be counted) rather than wait.
 */
class UsageRecorderTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	private final Logger usageLogger = (Logger) LoggerFactory.getLogger("aoai.usage");

	private final HeldAppender appender = new HeldAppender();

	private Level level;

	private UsageRecorder recorder;

	@BeforeEach
	void attach() {
		this.level = this.usageLogger.getLevel();
		this.usageLogger.setLevel(Level.INFO);
		this.appender.start();
		this.usageLogger.addAppender(this.appender);
	}

	@AfterEach
	void detach() throws InterruptedException {
		this.appender.release.countDown();
		if (this.recorder != null) {
			this.recorder.destroy();
		}
		this.usageLogger.detachAppender(this.appender);
		this.appender.stop();
		this.usageLogger.setLevel(this.level);
	}

	@Test
	void recordWhenQueuedThenWrittenAsJsonOnTheRecordersThread() {
		this.appender.release.countDown();
		this.recorder = new UsageRecorder(10, new GatewayMeters(this.registry));

		this.recorder.record(fields("u1", 10));

		eventually(this.appender.events::size, (size) -> size == 1, WAIT);
		ILoggingEvent event = this.appender.events.get(0);
		assertThat(event.getFormattedMessage()).isEqualTo("{\"caller\":\"u1\",\"inputTokens\":10}");
		assertThat(event.getThreadName()).isEqualTo("aoai-usage-records")
			.isNotEqualTo(Thread.currentThread().getName());
	}

	@Test
	void recordWhenSinkHeldAndQueueFullThenDropsAndCountsWithoutWaiting() {
		this.recorder = new UsageRecorder(2, new GatewayMeters(this.registry));
		this.recorder.record(fields("held", 0));
		eventually(this.appender.events::size, (size) -> size == 1, WAIT);

		for (int i = 1; i <= 5; i++) {
			this.recorder.record(fields("u" + i, i));
		}

		assertThat(dropped()).isEqualTo(3);
		this.appender.release.countDown();
		List<ILoggingEvent> written = eventually(() -> List.copyOf(this.appender.events),
				(events) -> events.size() == 3, WAIT);
		assertThat(written).extracting(ILoggingEvent::getFormattedMessage)
			.containsExactly("{\"caller\":\"held\",\"inputTokens\":0}", "{\"caller\":\"u1\",\"inputTokens\":1}",
					"{\"caller\":\"u2\",\"inputTokens\":2}");
		assertThat(dropped()).isEqualTo(3);
	}

	@Test
	void recordWhenUsageLoggerOffThenQueuesNothingAndDropsNothing() {
		this.appender.release.countDown();
		this.recorder = new UsageRecorder(1, new GatewayMeters(this.registry));
		this.usageLogger.setLevel(Level.OFF);

		for (int i = 0; i < 5; i++) {
			this.recorder.record(fields("off", i));
		}
		this.usageLogger.setLevel(Level.INFO);
		this.recorder.record(fields("on", 1));

		List<ILoggingEvent> written = eventually(() -> List.copyOf(this.appender.events), (events) -> !events.isEmpty(),
				WAIT);
		assertThat(written).extracting(ILoggingEvent::getFormattedMessage)
			.containsExactly("{\"caller\":\"on\",\"inputTokens\":1}");
		assertThat(dropped()).isZero();
	}

	private double dropped() {
		return this.registry.get(GatewayMeters.USAGE_RECORDS_DROPPED).counter().count();
	}

	private static Map<String, Object> fields(String caller, int inputTokens) {
		Map<String, Object> fields = new LinkedHashMap<>();
		fields.put("caller", caller);
		fields.put("inputTokens", inputTokens);
		return fields;
	}

	/** Keeps every event; holds the writing thread in its first append until released. */
	private static final class HeldAppender extends AppenderBase<ILoggingEvent> {

		final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();

		final CountDownLatch release = new CountDownLatch(1);

		@Override
		protected void append(ILoggingEvent event) {
			this.events.add(event);
			try {
				this.release.await(30, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

	}

}
