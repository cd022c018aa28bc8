package io.aoaigateway.affinity;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;

import reactor.core.publisher.Mono;

/**
 * Remembers which backend owns each stateful object, shared by every replica that uses
 * the same store. Implementations take the time from the caller, never from their own
 * clock, so that tests control it.
 */
public interface AffinityStore {

	/**
	 * Records (or replaces) an object's owner.
	 * @param objectId the object's id, e.g. {@code thread_abc123}
	 * @param owner where it lives and who created it
	 * @param ttl how long to remember it; suited to the object's life
	 * @param now the current time
	 * @return completes when stored
	 */
	Mono<Void> remember(String objectId, ObjectOwner owner, Duration ttl, Instant now);

	/**
	 * Looks objects up.
	 * @param objectIds the ids
	 * @param now the current time
	 * @return the known ones with their owners; unknown or expired ids are absent
	 */
	Mono<Map<String, ObjectOwner>> owners(Collection<String> objectIds, Instant now);

}
