package io.aoaigateway.server;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The limits of the gateway's own HTTP server, and the budget of request-body memory that
 * the routing filters draw on.
 */
@Configuration(proxyBeanMethods = false)
public class ServerLimitsConfiguration {

	@Bean
	ServerLimitsCustomizer serverLimitsCustomizer(ServerLimitsProperties properties) {
		return new ServerLimitsCustomizer(properties);
	}

	@Bean
	BufferedBodyBudget bufferedBodyBudget(ServerLimitsProperties properties) {
		return new BufferedBodyBudget(properties.maxBufferedBodies().toBytes());
	}

}
