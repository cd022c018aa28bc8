package io.aoaigateway;

import org.springframework.boot.SpringApplication;

/**
 * The offline demo: the gateway with the {@code local} profile, which starts a simulated
 * Azure OpenAI resource per configured backend and a local token issuer in the same
 * process ({@link io.aoaigateway.local}). It lives in the test source set, so the
 * production jar carries neither the simulator nor an issuer that mints a token for
 * anyone. Started by {@code ./mvnw spring-boot:test-run}.
 */
public final class TestAoaiGatewayApplication {

	private TestAoaiGatewayApplication() {
	}

	public static void main(String[] args) {
		SpringApplication.from(AoaiGatewayApplication::main).withAdditionalProfiles("local").run(args);
	}

}
