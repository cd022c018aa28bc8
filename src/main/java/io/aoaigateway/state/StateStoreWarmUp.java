package io.aoaigateway.state;

import reactor.core.publisher.Mono;

/**
 * A Redis store that prepares itself once Redis is connected at start-up (and after each
 * reconnection that start-up waits for), e.g. by loading its Lua scripts, so that the
 * first calls of a new replica do not pay for it. Readiness waits for every warm-up.
 */
@FunctionalInterface
public interface StateStoreWarmUp {

	/**
	 * Prepares the store. Runs off the request path, after Redis answered a PING.
	 * @return completes when the store is ready, fails when it could not be prepared (the
	 * warm-up is then tried again)
	 */
	Mono<Void> warmUp();

}
