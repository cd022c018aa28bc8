package io.aoaigateway.leaks;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakTracker;

/**
 * Netty's leak detector, keeping every leak it reports so that a test can fail on it.
 * Installed for the whole test JVM by surefire's
 * {@code -Dio.netty.customResourceLeakDetector}; Netty still logs each leak as usual.
 *
 * @param <T> the tracked resource type
 */
public final class RecordingLeakDetector<T> extends ResourceLeakDetector<T> {

	private static final List<String> reports = new CopyOnWriteArrayList<>();

	private static final AtomicLong tracked = new AtomicLong();

	private static volatile boolean installed;

	/**
	 * Called by Netty's default factory (the constructor it looks for first).
	 * @param resourceType the tracked type
	 * @param samplingInterval how often a resource is tracked below paranoid level
	 */
	public RecordingLeakDetector(Class<?> resourceType, int samplingInterval) {
		super(resourceType, samplingInterval);
		installed = true;
	}

	/**
	 * Called by Netty's default factory when it asks for a maximum number of active
	 * resources (ignored by Netty itself).
	 * @param resourceType the tracked type
	 * @param samplingInterval how often a resource is tracked below paranoid level
	 * @param maxActive ignored
	 */
	public RecordingLeakDetector(Class<?> resourceType, int samplingInterval, long maxActive) {
		this(resourceType, samplingInterval);
	}

	/**
	 * @return whether Netty created detectors of this class in this JVM
	 */
	static boolean installed() {
		return installed;
	}

	/**
	 * @return every leak reported so far, in order
	 */
	static List<String> reports() {
		return List.copyOf(reports);
	}

	/**
	 * @return how many resources were offered for tracking so far
	 */
	static long tracked() {
		return tracked.get();
	}

	@Override
	public ResourceLeakTracker<T> track(T obj) {
		tracked.incrementAndGet();
		return super.track(obj);
	}

	// Report even when the logger that Netty would use is turned off.
	@Override
	protected boolean needReport() {
		return true;
	}

	@Override
	protected void reportTracedLeak(String resourceType, String records) {
		reports.add("LEAK of " + resourceType + ": release() was not called." + records);
		super.reportTracedLeak(resourceType, records);
	}

	@Override
	protected void reportUntracedLeak(String resourceType) {
		reports.add("LEAK of " + resourceType + ": release() was not called (no access records at this level)");
		super.reportUntracedLeak(resourceType);
	}

}
