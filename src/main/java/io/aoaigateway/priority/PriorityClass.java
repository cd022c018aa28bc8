package io.aoaigateway.priority;

import java.time.Duration;

/**
 * A priority class as calls use it.
 *
 * @param name the class's name
 * @param rank its place, 0 for the highest
 * @param floor the share of a deployment's capacity (0 to 1) that must be left for a call
 * of this class to be sent to it: what the classes above it reserve
 * @param maxWait the longest a call waits for capacity, 0 for never
 * @param maxQueued the most calls of the class waiting at once on one replica
 * @param maxQueuedPerCaller the most calls of one caller waiting at once on one replica
 */
public record PriorityClass(String name, int rank, double floor, Duration maxWait, int maxQueued,
		int maxQueuedPerCaller) {

	/** Every call's class when no classes are configured: no floor, no waiting. */
	public static final PriorityClass NONE = new PriorityClass("none", 0, 0, Duration.ZERO, 1, 1);

	/**
	 * @return whether calls of this class may wait for capacity
	 */
	public boolean queues() {
		return !this.maxWait.isZero();
	}

}
