/**
 * What a new replica does before it reports ready, so that its first burst of calls is
 * served as fast as later ones.
 */
@NullMarked
package io.aoaigateway.warmup;

import org.jspecify.annotations.NullMarked;
