package io.aoaigateway.leaks;

import org.springframework.boot.webtestclient.autoconfigure.WebTestClientBuilderCustomizer;
import org.springframework.context.annotation.Bean;

/**
 * Gives every auto-configured {@code WebTestClient} the
 * {@link ReleasingClientHttpConnector}. Imported by {@code @AutoConfigureWebTestClient}
 * (listed in this project's {@code META-INF/spring/...AutoConfigureWebTestClient.imports}
 * test resource); not a component, so that scanning does not pick it up elsewhere.
 */
public class ReleasingWebTestClientConfiguration {

	@Bean
	WebTestClientBuilderCustomizer releasingClientHttpConnector() {
		return (builder) -> builder.clientConnector(new ReleasingClientHttpConnector());
	}

}
