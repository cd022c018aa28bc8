package io.aoaigateway.support;

import java.time.Clock;

import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.webflux.error.ErrorWebExceptionHandler;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;

/**
 * The clock every time-dependent decision reads, and the error handler of last resort.
 */
@Configuration(proxyBeanMethods = false)
public class SupportConfiguration {

	@Bean
	@ConditionalOnMissingBean
	Clock clock() {
		return Clock.systemUTC();
	}

	// Before Boot's DefaultErrorWebExceptionHandler (order -1), which renders Boot's own
	// shape.
	@Bean
	@Order(-2)
	ErrorWebExceptionHandler azureErrorWebExceptionHandler() {
		return new AzureErrorWebExceptionHandler();
	}

}
