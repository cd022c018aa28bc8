package io.aoaigateway.simulator;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ObjectNode;

/**
 * Stored objects of one kind (assistants, threads, files...) keyed by their {@code id},
 * listed in creation order.
 */
final class ObjectTable {

	private final Map<String, Entry> entries = new ConcurrentHashMap<>();

	private final AtomicLong sequence = new AtomicLong();

	void put(ObjectNode object) {
		put(object.get("id").stringValue(), object);
	}

	/**
	 * Stores an object under a key other than its id, e.g. for a vector-store file, whose
	 * id is the file's and so not unique.
	 * @param key the key
	 * @param object the object
	 */
	void put(String key, ObjectNode object) {
		ObjectNode stored = object.deepCopy();
		this.entries.compute(key, (ignored, existing) -> new Entry(
				(existing != null) ? existing.sequence() : this.sequence.incrementAndGet(), stored));
	}

	/**
	 * @param id the object's id or key
	 * @return a copy of the object, or {@code null} when unknown
	 */
	@Nullable ObjectNode get(String id) {
		Entry entry = this.entries.get(id);
		return (entry != null) ? entry.object().deepCopy() : null;
	}

	boolean contains(String id) {
		return this.entries.containsKey(id);
	}

	/**
	 * Changes a stored object atomically; the change may touch other tables but not this
	 * one.
	 * @param id the object's id
	 * @param change gets a copy of the object and returns its new state
	 * @return a copy of the new state, or {@code null} when unknown
	 */
	@Nullable ObjectNode update(String id, UnaryOperator<ObjectNode> change) {
		Entry updated = this.entries.computeIfPresent(id,
				(key, entry) -> new Entry(entry.sequence(), change.apply(entry.object().deepCopy())));
		return (updated != null) ? updated.object().deepCopy() : null;
	}

	@Nullable ObjectNode remove(String id) {
		Entry removed = this.entries.remove(id);
		return (removed != null) ? removed.object() : null;
	}

	void removeIf(Predicate<ObjectNode> filter) {
		this.entries.values().removeIf((entry) -> filter.test(entry.object()));
	}

	/**
	 * @param filter which objects to list
	 * @return copies of the matching objects, oldest first
	 */
	List<ObjectNode> list(Predicate<ObjectNode> filter) {
		List<Entry> matching = new ArrayList<>();
		for (Entry entry : this.entries.values()) {
			if (filter.test(entry.object())) {
				matching.add(entry);
			}
		}
		matching.sort(Comparator.comparingLong(Entry::sequence));
		return matching.stream().map((entry) -> entry.object().deepCopy()).toList();
	}

	void clear() {
		this.entries.clear();
	}

	private record Entry(long sequence, ObjectNode object) {

	}

}
