package io.aoaigateway.keys;

import java.util.List;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * Where caller key records live: Redis (shared by the replicas, written through the admin
 * endpoint) or the configuration (properties and a mounted file, read only).
 */
interface CallerKeyStore {

	/**
	 * Reads the records unless they are unchanged.
	 * @param knownVersion the version the caller holds, or {@code null} to read anyway
	 * @return the records, or empty when the store is still at {@code knownVersion};
	 * fails when the store cannot be read
	 */
	Mono<CallerKeyCatalog> read(@Nullable String knownVersion);

	/**
	 * @return whether records can be written through the gateway
	 */
	boolean writable();

	/**
	 * Saves records (new ones, or new versions of existing ones) at once, provided the
	 * store is still at the version they were decided on.
	 * @param expectedVersion the version the caller read
	 * @param records what to save
	 * @return true when saved; false when the store changed meanwhile (nothing saved)
	 */
	Mono<Boolean> save(String expectedVersion, List<CallerKey> records);

	/**
	 * Deletes a record.
	 * @param keyId the key's id
	 * @return true when it existed
	 */
	Mono<Boolean> delete(String keyId);

}
