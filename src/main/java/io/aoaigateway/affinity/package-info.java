/**
 * Stateful objects (assistants, threads, vector stores, files, batches, responses, image
 * operations) across the pool: which backend owns each, which caller may reach it, and
 * where new ones go.
 */
@NullMarked
package io.aoaigateway.affinity;

import org.jspecify.annotations.NullMarked;
