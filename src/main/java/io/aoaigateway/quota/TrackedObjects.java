package io.aoaigateway.quota;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import reactor.core.publisher.Mono;

/**
 * The objects waiting to be charged when they end, shared by every replica: each one is
 * due for a read at some time, and a replica that claims it holds it for a lease, so that
 * only one replica reads it at a time, and another takes it over when that one is gone.
 */
interface TrackedObjects {

	/**
	 * Adds an object, due at the given time; an object tracked already is left as it is.
	 * @param object the object
	 * @param due when it is first read
	 * @param keep how long the store keeps it at most
	 * @return completes when stored
	 */
	Mono<Void> track(TrackedObject object, Instant due, Duration keep);

	/**
	 * Claims objects that are due: each is not due again until the lease ends, unless it
	 * is rescheduled or forgotten first.
	 * @param now the current time
	 * @param lease how long the claim holds
	 * @param max the most objects claimed
	 * @return the claimed objects, oldest due first
	 */
	Mono<List<TrackedObject>> claim(Instant now, Duration lease, int max);

	/**
	 * Keeps an object, due again at the given time.
	 * @param object the object, as it is now
	 * @param due when it is next read
	 * @return completes when stored
	 */
	Mono<Void> reschedule(TrackedObject object, Instant due);

	/**
	 * Stops tracking an object.
	 * @param id the object's id
	 * @return completes when forgotten
	 */
	Mono<Void> forget(String id);

}
