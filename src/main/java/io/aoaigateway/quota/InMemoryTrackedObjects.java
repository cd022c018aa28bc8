package io.aoaigateway.quota;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import reactor.core.publisher.Mono;

/**
 * {@link TrackedObjects} of one replica, in memory: lost when it stops.
 */
final class InMemoryTrackedObjects implements TrackedObjects {

	// Guarded by this.
	private final Map<String, Entry> entries = new HashMap<>();

	@Override
	public Mono<Void> track(TrackedObject object, Instant due, Duration keep) {
		return Mono.fromRunnable(() -> {
			synchronized (this) {
				this.entries.putIfAbsent(object.id(), new Entry(object, due, due.plus(keep)));
			}
		});
	}

	@Override
	public Mono<List<TrackedObject>> claim(Instant now, Duration lease, int max) {
		return Mono.fromSupplier(() -> {
			synchronized (this) {
				this.entries.values().removeIf((entry) -> !entry.expires().isAfter(now));
				List<Entry> due = new ArrayList<>(
						this.entries.values().stream().filter((entry) -> !entry.due().isAfter(now)).toList());
				due.sort(Comparator.comparing(Entry::due));
				List<TrackedObject> claimed = new ArrayList<>();
				for (Entry entry : due.subList(0, Math.min(max, due.size()))) {
					this.entries.put(entry.object().id(), new Entry(entry.object(), now.plus(lease), entry.expires()));
					claimed.add(entry.object());
				}
				return claimed;
			}
		});
	}

	@Override
	public Mono<Void> reschedule(TrackedObject object, Instant due) {
		return Mono.fromRunnable(() -> {
			synchronized (this) {
				this.entries.computeIfPresent(object.id(), (id, entry) -> new Entry(object, due, entry.expires()));
			}
		});
	}

	@Override
	public Mono<Void> forget(String id) {
		return Mono.fromRunnable(() -> {
			synchronized (this) {
				this.entries.remove(id);
			}
		});
	}

	private record Entry(TrackedObject object, Instant due, Instant expires) {
	}

}
