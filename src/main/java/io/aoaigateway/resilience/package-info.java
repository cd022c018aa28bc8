/**
 * Failover across the pool: cooldowns of throttled deployments shared by replicas,
 * retries on another backend, circuit breakers, and what a caller gets when nothing can
 * serve.
 */
@NullMarked
package io.aoaigateway.resilience;

import org.jspecify.annotations.NullMarked;
