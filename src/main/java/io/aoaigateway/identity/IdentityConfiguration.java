package io.aoaigateway.identity;

import java.time.Clock;
import java.time.Duration;

import io.aoaigateway.support.PeriodicRounds;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The backends' credentials and the background renewal of their tokens.
 */
@Configuration(proxyBeanMethods = false)
public class IdentityConfiguration {

	@Bean
	BackendCredentials backendCredentials(IdentityProperties properties, Environment environment,
			ObjectProvider<SslBundles> bundles, Clock clock, MeterRegistry registry) {
		TokenCredentialFactory factory = TokenCredentialFactory.of(environment, bundles.getIfAvailable(),
				properties.refresh().timeout());
		try {
			return new BackendCredentials(properties, factory, clock, registry);
		}
		catch (RuntimeException ex) {
			factory.close();
			throw ex;
		}
	}

	@Bean
	SmartLifecycle tokenRenewals(IdentityProperties properties, BackendCredentials credentials) {
		// Checks start at once: the first tokens are asked for as the gateway starts.
		// Renewals run in the background, never on the request path.
		return new PeriodicRounds("token renewal checks", Duration.ZERO, properties.refresh().checkInterval(),
				properties.refresh().timeout(), () -> Mono.fromRunnable(credentials::renewDue));
	}

	@Bean
	BackendCredentialsHealthIndicator backendCredentialsHealthIndicator(BackendCredentials credentials) {
		return new BackendCredentialsHealthIndicator(credentials);
	}

}
