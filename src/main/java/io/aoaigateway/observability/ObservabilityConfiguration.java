package io.aoaigateway.observability;

import java.time.Clock;

import io.aoaigateway.pricing.PriceCatalogue;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The gateway's meters, the metrics filter and the usage records.
 */
@Configuration(proxyBeanMethods = false)
class ObservabilityConfiguration {

	@Bean
	GatewayMeters gatewayMeters(MeterRegistry registry) {
		return new GatewayMeters(registry);
	}

	@Bean
	UsageRecorder usageRecorder(ObservabilityProperties properties, GatewayMeters meters) {
		return new UsageRecorder(properties.usageRecordQueue(), meters);
	}

	@Bean
	@ConditionalOnBooleanProperty(name = "aoai.observability.enabled", matchIfMissing = true)
	GlobalFilter gatewayMetricsFilter(GatewayMeters meters, ObservabilityProperties properties,
			ObjectProvider<UsageRecorder> records, PriceCatalogue prices, Clock clock) {
		return new GatewayMetricsFilter(meters, properties.usageRecords() ? records.getObject() : null,
				properties.perUserMetrics(), prices, clock);
	}

}
