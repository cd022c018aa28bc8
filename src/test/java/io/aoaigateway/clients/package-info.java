/**
 * The gateway driven by real client libraries, as a user's application would call it.
 */
@NullMarked
package io.aoaigateway.clients;

import org.jspecify.annotations.NullMarked;
