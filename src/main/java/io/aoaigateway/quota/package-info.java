/**
 * Per-caller token quotas: policies, estimates reserved before a call, the real usage
 * charged after it, kept in a {@link io.aoaigateway.quota.QuotaLedger}.
 */
@NullMarked
package io.aoaigateway.quota;

import org.jspecify.annotations.NullMarked;
