package io.aoaigateway;

import io.aoaigateway.keys.CallerKeyCommand;

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
		// Offline tools run before (and without) Spring.
		if (CallerKeyCommand.handles(args)) {
			System.exit(CallerKeyCommand.run(args, System.out, System.err));
		}
		SpringApplication.run(AoaiGatewayApplication.class, args);
	}

}
