/**
 * A simulated Azure OpenAI resource for tests, the local demo and the benchmark.
 */
@NullMarked
package io.aoaigateway.simulator;

import org.jspecify.annotations.NullMarked;
