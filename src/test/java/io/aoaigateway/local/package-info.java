/**
 * The offline local mode: simulated backends and a token issuer started beside the
 * gateway.
 */
@NullMarked
package io.aoaigateway.local;

import org.jspecify.annotations.NullMarked;
