/**
 * Where state shared by the gateway's replicas lives: in memory (one replica) or in Redis
 * (several), and what happens when the store fails.
 */
@NullMarked
package io.aoaigateway.state;

import org.jspecify.annotations.NullMarked;
