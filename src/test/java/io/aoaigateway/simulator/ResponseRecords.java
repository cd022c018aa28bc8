package io.aoaigateway.simulator;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the Responses API keeps besides the responses themselves: the items of stored
 * responses (for {@code item_reference} and reasoning items sent back by id), each
 * response's input items, the final state of background responses not finished yet, and
 * the events of background streams for replay.
 */
final class ResponseRecords {

	/** Every item a stored response produced or took as input, by id. */
	final ObjectTable items = new ObjectTable();

	/** The input items of each stored response, in order, by response id. */
	final Map<String, List<String>> inputs = new ConcurrentHashMap<>();

	/**
	 * The completed state of each background response still {@code queued} or
	 * {@code in_progress}, fixed at creation so that polling is deterministic.
	 */
	final ObjectTable pending = new ObjectTable();

	/** The events of each response created with background and stream, by response id. */
	final Map<String, List<String>> events = new ConcurrentHashMap<>();

	/**
	 * The {@code call_id} of every function call this resource made, stored or not: a
	 * {@code function_call_output} answers one of them.
	 */
	final Set<String> calls = ConcurrentHashMap.newKeySet();

	void forget(String response) {
		this.inputs.remove(response);
		this.pending.remove(response);
		this.events.remove(response);
	}

	void clear() {
		this.items.clear();
		this.inputs.clear();
		this.pending.clear();
		this.events.clear();
		this.calls.clear();
	}

}
