/**
 * Validates the caller's Entra ID token and swaps it for the chosen backend's api-key.
 */
@NullMarked
package io.aoaigateway.auth;

import org.jspecify.annotations.NullMarked;
