package io.aoaigateway.identity;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
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
		return new TokenRenewals(credentials, properties.refresh().checkInterval());
	}

	@Bean
	BackendCredentialsHealthIndicator backendCredentialsHealthIndicator(BackendCredentials credentials) {
		return new BackendCredentialsHealthIndicator(credentials);
	}

	/**
	 * Checks every token at a fixed interval while the application runs, starting at
	 * once; renewals run in the background and never on the request path.
	 */
	static final class TokenRenewals implements SmartLifecycle {

		private final BackendCredentials credentials;

		private final Duration interval;

		private volatile @Nullable Disposable checks;

		TokenRenewals(BackendCredentials credentials, Duration interval) {
			this.credentials = credentials;
			this.interval = interval;
		}

		@Override
		public void start() {
			this.checks = Flux.interval(Duration.ZERO, this.interval)
				.onBackpressureDrop()
				.subscribe((tick) -> this.credentials.renewDue());
		}

		@Override
		public void stop() {
			Disposable running = this.checks;
			this.checks = null;
			if (running != null) {
				running.dispose();
			}
		}

		@Override
		public boolean isRunning() {
			return this.checks != null;
		}

	}

}
