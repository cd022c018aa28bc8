package io.aoaigateway.keys;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import org.slf4j.LoggerFactory;

/**
 * Every log event of the JVM while attached (at the levels configured), with its
 * throwables, so that a test can assert what never appears in any log line.
 */
final class CapturedLogs extends AppenderBase<ILoggingEvent> {

	private final List<String> lines = new CopyOnWriteArrayList<>();

	private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

	static CapturedLogs attach() {
		CapturedLogs logs = new CapturedLogs();
		logs.start();
		logs.root.addAppender(logs);
		return logs;
	}

	void detach() {
		this.root.detachAppender(this);
		stop();
	}

	List<String> lines() {
		return List.copyOf(this.lines);
	}

	@Override
	protected void append(ILoggingEvent event) {
		StringBuilder line = new StringBuilder(event.getLoggerName()).append(' ').append(event.getFormattedMessage());
		for (IThrowableProxy thrown = event.getThrowableProxy(); thrown != null; thrown = thrown.getCause()) {
			line.append(" | ").append(thrown.getClassName()).append(": ").append(thrown.getMessage());
		}
		this.lines.add(line.toString());
	}

}
