package io.aoaigateway.state;

/**
 * A store operation that was not attempted: the store's circuit is open (it failed
 * repeatedly) or Redis is not connected yet. Callers apply their failure policy at once.
 */
public class StateStoreUnavailableException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	/**
	 * @param message why the operation was not attempted
	 */
	public StateStoreUnavailableException(String message) {
		// No stack trace: this is a routine answer while the store is down, thrown
		// for every call, and the reason is in the message.
		super(message, null, false, false);
	}

}
