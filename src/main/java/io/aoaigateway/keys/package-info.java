/**
 * Caller keys: gateway-issued API keys for applications without an Entra ID token, stored
 * as salted hashes, checked in the security chain and mapped to a caller like any other.
 */
@NullMarked
package io.aoaigateway.keys;

import org.jspecify.annotations.NullMarked;
