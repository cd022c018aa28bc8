/**
 * The gateway's own HTTP server: inbound timeouts, connection and body-memory limits,
 * strict request framing, and Azure-shaped answers to the errors Netty writes itself.
 */
@NullMarked
package io.aoaigateway.server;

import org.jspecify.annotations.NullMarked;
