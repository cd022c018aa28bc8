package io.aoaigateway.warmup;

import reactor.netty.http.client.HttpClient;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;

/**
 * The warm-up, on unless {@code aoai.warm-up.enabled=false}.
 */
@Configuration(proxyBeanMethods = false)
class WarmUpConfiguration {

	@Bean
	@ConditionalOnBooleanProperty(name = "aoai.warm-up.enabled", matchIfMissing = true)
	GatewayWarmUp gatewayWarmUp(WarmUpProperties properties, ReactiveJwtDecoder decoder, HttpClient httpClient) {
		return new GatewayWarmUp(properties, decoder, httpClient);
	}

}
