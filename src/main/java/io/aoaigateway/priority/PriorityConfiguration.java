package io.aoaigateway.priority;

import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Priority classes, and the filter that puts calls in them when any are configured.
 */
@Configuration(proxyBeanMethods = false)
class PriorityConfiguration {

	@Bean
	PriorityClasses priorityClasses(PriorityProperties properties) {
		return new PriorityClasses(properties);
	}

	@Bean
	GlobalFilter priorityFilter(PriorityProperties properties, PriorityClasses classes) {
		return new PriorityFilter(classes, properties.header());
	}

}
