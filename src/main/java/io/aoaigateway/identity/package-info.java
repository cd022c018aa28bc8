/**
 * How the gateway proves itself to its backends: an {@code api-key}, or an Entra ID
 * access token obtained through azure-identity and renewed in the background.
 */
@NullMarked
package io.aoaigateway.identity;

import org.jspecify.annotations.NullMarked;
