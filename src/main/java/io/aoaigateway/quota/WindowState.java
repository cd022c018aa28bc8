package io.aoaigateway.quota;

/**
 * What a window holds at one moment.
 *
 * @param window the window
 * @param used tokens charged from real usage (or estimates where no usage came)
 * @param reserved tokens held by calls in flight
 */
public record WindowState(QuotaWindow window, long used, long reserved) {

	/**
	 * @return tokens a new call may still reserve, never negative
	 */
	public long remaining() {
		return Math.max(0, this.window.limit() - this.used - this.reserved);
	}

}
