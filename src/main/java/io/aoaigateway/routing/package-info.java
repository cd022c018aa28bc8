/**
 * Chooses the Azure OpenAI backend for each call: the pool, its deployments and the
 * routes.
 */
@NullMarked
package io.aoaigateway.routing;

import org.jspecify.annotations.NullMarked;
