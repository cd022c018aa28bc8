package io.aoaigateway.observability;

import jakarta.validation.constraints.Min;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Metrics and usage records.
 *
 * @param enabled whether calls are measured and recorded at all (the gateway's meters,
 * usage records); off only to measure what they cost
 * @param perUserMetrics whether token usage is also tagged with the caller's id: one
 * series per user, so off by default (cardinality); apps and deployments are always
 * tagged
 * @param usageRecords whether one usage record per call is written to the
 * {@code aoai.usage} logger
 * @param usageRecordQueue records waiting to be written at most; when full, new records
 * are dropped (and counted) rather than slowing calls down
 */
@Validated
@ConfigurationProperties("aoai.observability")
public record ObservabilityProperties(@DefaultValue("true") boolean enabled,
		@DefaultValue("false") boolean perUserMetrics, @DefaultValue("true") boolean usageRecords,
		@DefaultValue("10000") @Min(1) int usageRecordQueue) {

}
