/**
 * Exchange attributes and Azure-shaped error answers shared by the gateway's filters.
 */
@NullMarked
package io.aoaigateway.support;

import org.jspecify.annotations.NullMarked;
