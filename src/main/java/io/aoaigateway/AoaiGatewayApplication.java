package io.aoaigateway;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * Entry point of the gateway that sits between internal applications and a pool of Azure
 * OpenAI resources.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class AoaiGatewayApplication {

	public static void main(String[] args) {
		SpringApplication.run(AoaiGatewayApplication.class, args);
	}

}
