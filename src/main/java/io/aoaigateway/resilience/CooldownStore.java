package io.aoaigateway.resilience;

import java.time.Instant;
import java.util.Collection;
import java.util.Map;

import reactor.core.publisher.Mono;

/**
 * Remembers until when a backend's deployment is cooling down after a 429, shared by
 * every replica that uses the same store. Implementations take the time from the caller,
 * never from their own clock, so that tests control it.
 */
public interface CooldownStore {

	/**
	 * Starts or extends a cooldown; a new cooldown never shortens an existing one.
	 * @param key the backend's deployment, e.g. {@code swedencentral/gpt-4o}
	 * @param until when the deployment may be called again
	 * @param now the current time
	 * @return completes when stored
	 */
	Mono<Void> coolDown(String key, Instant until, Instant now);

	/**
	 * Reads which of the keys are cooling down.
	 * @param keys the keys
	 * @param now the current time
	 * @return the keys still cooling at {@code now}, each with its deadline; keys not
	 * cooling are absent
	 */
	Mono<Map<String, Instant>> cooling(Collection<String> keys, Instant now);

}
