package io.aoaigateway.observability;

import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.DisposableBean;

/**
 * Writes one usage record per call as a JSON line to the {@code aoai.usage} logger, on
 * its own thread and through a bounded queue: a slow log sink drops records (counted in
 * {@code aoai_gateway_usage_records_dropped_total}), it never slows a call down. The
 * calling thread only offers the record to the queue; it neither serializes nor logs.
 */
final class UsageRecorder implements UsageRecords, DisposableBean {

	private static final Log usage = LogFactory.getLog("aoai.usage");

	private static final Log logger = LogFactory.getLog(UsageRecorder.class);

	private static final JsonMapper JSON = JsonMapper.shared();

	private final BlockingQueue<Map<String, Object>> queue;

	private final GatewayMeters meters;

	private final Thread writer;

	private volatile boolean running = true;

	UsageRecorder(int capacity, GatewayMeters meters) {
		this.queue = new ArrayBlockingQueue<>(capacity);
		this.meters = meters;
		this.writer = new Thread(this::write, "aoai-usage-records");
		this.writer.setDaemon(true);
		this.writer.start();
	}

	/**
	 * Queues a record; drops it when the queue is full, and queues nothing while the
	 * {@code aoai.usage} logger is off.
	 * @param fields the fields of the record, no bodies and no secrets; the recorder
	 * takes the map over (it is written later, on another thread), so the caller must not
	 * change it afterwards
	 */
	@Override
	public void record(Map<String, Object> fields) {
		if (!usage.isInfoEnabled()) {
			return;
		}
		if (!this.queue.offer(fields)) {
			this.meters.usageRecordDropped();
		}
	}

	private void write() {
		while (this.running || !this.queue.isEmpty()) {
			try {
				Map<String, Object> record = this.queue.poll(200, TimeUnit.MILLISECONDS);
				if (record != null) {
					usage.info(JSON.writeValueAsString(record));
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
			catch (RuntimeException ex) {
				logger.warn("Could not write a usage record: " + ex);
			}
		}
	}

	@Override
	public void destroy() throws InterruptedException {
		this.running = false;
		this.writer.join(TimeUnit.SECONDS.toMillis(5));
	}

}
