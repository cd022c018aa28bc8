/**
 * Token usage read from backend responses as they pass: JSON bodies and server-sent event
 * streams, fed one network chunk at a time.
 */
@NullMarked
package io.aoaigateway.usage;

import org.jspecify.annotations.NullMarked;
