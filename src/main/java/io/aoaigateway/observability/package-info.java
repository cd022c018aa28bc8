/**
 * What operators and cost owners see: Micrometer meters (names in one place), and one
 * usage record per call, written off the request path.
 */
@NullMarked
package io.aoaigateway.observability;

import org.jspecify.annotations.NullMarked;
