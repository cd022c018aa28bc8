package io.aoaigateway.leaks;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty reported a buffer leak while it ran (or since the last
 * check). Registered for every test class through the JUnit extension service loader
 * (surefire turns on {@code junit.jupiter.extensions.autodetection.enabled}).
 * <p>
 * Netty only finds a leak when the garbage collector has cleared the leaked buffer and a
 * later allocation looks at what was cleared; so after each class that allocated buffers,
 * this forces a collection, waits until the collector has processed references, and
 * allocates a few buffers, a few times over. A leak still referenced from somewhere live
 * cannot be seen this way.
 */
public final class NettyLeakCheck implements AfterAllCallback {

	private static final int ROUNDS = 3;

	private static final long REFERENCE_WAIT_MILLIS = 2_000;

	private static final int MAX_RECORDS_SHOWN = 6_000;

	private static final Object lock = new Object();

	private static int reportsChecked;

	private static long trackedChecked;

	@Override
	public void afterAll(ExtensionContext context) throws InterruptedException {
		if (!RecordingLeakDetector.installed()
				|| ResourceLeakDetector.getLevel() == ResourceLeakDetector.Level.DISABLED) {
			return;
		}
		List<String> unseen;
		synchronized (lock) {
			long tracked = RecordingLeakDetector.tracked();
			if (tracked != trackedChecked) {
				collect();
				trackedChecked = RecordingLeakDetector.tracked();
			}
			List<String> reports = RecordingLeakDetector.reports();
			unseen = reports.subList(reportsChecked, reports.size());
			reportsChecked = reports.size();
		}
		if (!unseen.isEmpty()) {
			String first = unseen.get(0);
			if (first.length() > MAX_RECORDS_SHOWN) {
				first = first.substring(0, MAX_RECORDS_SHOWN) + "\n\t...";
			}
			throw new AssertionError(unseen.size() + " Netty buffer leak(s) reported while " + context.getDisplayName()
					+ " ran (or since the class before it); the first:\n" + first);
		}
	}

	// Clears what is unreachable and lets the detectors look at it.
	private static void collect() throws InterruptedException {
		for (int round = 0; round < ROUNDS; round++) {
			ReferenceQueue<Object> queue = new ReferenceQueue<>();
			WeakReference<Object> sentinel = new WeakReference<>(new Object(), queue);
			System.gc();
			// The sentinel is enqueued once the collector's references were processed.
			queue.remove(REFERENCE_WAIT_MILLIS);
			sentinel.clear();
			for (ByteBufAllocator allocator : List.of(ByteBufAllocator.DEFAULT, PooledByteBufAllocator.DEFAULT,
					UnpooledByteBufAllocator.DEFAULT)) {
				for (int index = 0; index < samplesPerRound(); index++) {
					ByteBuf probe = allocator.directBuffer(1);
					probe.release();
					probe = allocator.heapBuffer(1);
					probe.release();
				}
			}
		}
	}

	// Below paranoid level only one allocation in ~128 is tracked (and looks for leaks).
	private static int samplesPerRound() {
		return (ResourceLeakDetector.getLevel() == ResourceLeakDetector.Level.PARANOID) ? 1 : 512;
	}

}
