/**
 * What calls cost: per-model prices with the dates they apply from, which deployment runs
 * which model, and the cost of a call's usage in integer micro-units of the currency.
 */
@NullMarked
package io.aoaigateway.pricing;

import org.jspecify.annotations.NullMarked;
