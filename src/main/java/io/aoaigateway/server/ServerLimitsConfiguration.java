package io.aoaigateway.server;

import io.aoaigateway.observability.GatewayMeters;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The limits of the gateway's own HTTP server, and the budget of request-body memory that
 * the routing filters draw on.
 */
@Configuration(proxyBeanMethods = false)
public class ServerLimitsConfiguration {

	@Bean
	ServerLimitsCustomizer serverLimitsCustomizer(ServerLimitsProperties properties, MeterRegistry registry) {
		ServerLimitsCustomizer customizer = new ServerLimitsCustomizer(properties);
		Gauge.builder(GatewayMeters.CONNECTIONS, customizer, ServerLimitsCustomizer::openConnections)
			.description("Client connections open now (aoai.server.max-connections)")
			.register(registry);
		return customizer;
	}

	@Bean
	BufferedBodyBudget bufferedBodyBudget(ServerLimitsProperties properties, MeterRegistry registry) {
		BufferedBodyBudget budget = new BufferedBodyBudget(properties.maxBufferedBodies().toBytes());
		Gauge.builder(GatewayMeters.BUFFERED_BODY_BYTES, budget, BufferedBodyBudget::used)
			.description("Request-body bytes held in memory now (aoai.server.max-buffered-bodies)")
			.baseUnit("bytes")
			.register(registry);
		return budget;
	}

}
