package io.aoaigateway.identity;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import io.aoaigateway.support.PeriodicRounds;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.publisher.Mono;
import reactor.netty.resources.ConnectionProvider;

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

	@Bean(destroyMethod = "shutdownNow")
	ExecutorService identityExecutor() {
		AtomicInteger count = new AtomicInteger();
		return Executors.newFixedThreadPool(2, (task) -> {
			Thread thread = new Thread(task, "aoai-identity-" + count.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		});
	}

	@Bean(destroyMethod = "dispose")
	ConnectionProvider identityConnections() {
		return ConnectionProvider.builder("aoai-identity")
			.maxConnections(8)
			.pendingAcquireMaxCount(16)
			.maxIdleTime(Duration.ofSeconds(30))
			.build();
	}

	@Bean
	BackendCredentials backendCredentials(IdentityProperties properties, Environment environment,
			ObjectProvider<SslBundles> bundles, ExecutorService identityExecutor,
			ConnectionProvider identityConnections, Clock clock, MeterRegistry registry) {
		TokenCredentialFactory factory = new TokenCredentialFactory(environment, bundles.getIfAvailable(),
				identityExecutor, identityConnections, properties.refresh().timeout());
		return new BackendCredentials(properties, factory, clock, registry);
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
