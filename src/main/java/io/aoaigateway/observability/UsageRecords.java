package io.aoaigateway.observability;

import java.util.Map;

/**
 * Where usage records go: one JSON line each on the {@code aoai.usage} logger, written
 * off the calling thread.
 */
public interface UsageRecords {

	/**
	 * Queues a record; never blocks, and drops it (counted) when the writer falls behind.
	 * @param fields the record's fields, no bodies and no secrets; the map is taken over
	 */
	void record(Map<String, Object> fields);

}
