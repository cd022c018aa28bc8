package io.aoaigateway.usage;

import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Reads token usage from every response.
 */
@Configuration(proxyBeanMethods = false)
class UsageConfiguration {

	@Bean
	GlobalFilter tokenUsageFilter() {
		return new TokenUsageFilter();
	}

}
