package io.aoaigateway.pricing;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The price catalogue: the built-in prices with {@code aoai.pricing} over them.
 */
@Configuration(proxyBeanMethods = false)
class PricingConfiguration {

	@Bean
	PriceCatalogue priceCatalogue(PricingProperties properties) {
		return PriceCatalogue.withBuiltIns(properties);
	}

}
