package io.aoaigateway.local;

import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.aoaigateway.routing.RoutingProperties;
import io.aoaigateway.simulator.AzureOpenAiSimulator;
import io.aoaigateway.simulator.SimulatorSettings;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The offline demo: a simulated Azure OpenAI resource on the port of each configured
 * backend, and a local token issuer, all inside the gateway's process. Enabled by
 * {@code aoai.local.enabled} (the {@code local} profile); never in production.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty("aoai.local.enabled")
class LocalModeConfiguration {

	private static final Log logger = LogFactory.getLog(LocalModeConfiguration.class);

	@Bean(destroyMethod = "close")
	LocalTokenIssuer localTokenIssuer(LocalProperties properties, Clock clock) {
		return LocalTokenIssuer.start(properties.issuerPort(), clock);
	}

	@Bean(destroyMethod = "close")
	LocalBackends localBackends(LocalProperties local, RoutingProperties routing) {
		List<AzureOpenAiSimulator> simulators = routing.backends().stream().map((backend) -> {
			Set<String> deployments = new LinkedHashSet<>();
			backend.deployments().forEach((deployment) -> deployments.add(deployment.azureName()));
			SimulatorSettings settings = SimulatorSettings
				.defaults(backend.name(), backend.apiKey().value(), deployments)
				.withPort(backend.url().getPort())
				.withStreamChunks(local.streamChunks())
				.withStreamPace(local.streamPace());
			return AzureOpenAiSimulator.start(settings);
		}).toList();
		return new LocalBackends(simulators);
	}

	@Bean
	ApplicationListener<ApplicationReadyEvent> localModeBanner(LocalTokenIssuer issuer) {
		return (event) -> {
			if (!(event.getApplicationContext() instanceof WebServerApplicationContext context)) {
				return;
			}
			int port = context.getWebServer().getPort();
			logger
				.info("""

						Local mode: simulated Azure OpenAI backends and a token issuer are running; nothing leaves this machine.
						  Get a token:
						    TOKEN=$(curl -s '%1$s/token?sub=alice')
						  Call the gateway:
						    curl -s -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\
						      'http://localhost:%2$d/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21' \\
						      -d '{"messages":[{"role":"user","content":"Hello"}]}'
						"""
					.formatted(issuer.issuer(), port));
		};
	}

	/**
	 * The running simulators, closed with the context.
	 *
	 * @param simulators one per configured backend
	 */
	record LocalBackends(List<AzureOpenAiSimulator> simulators) implements AutoCloseable {

		@Override
		public void close() {
			this.simulators.forEach(AzureOpenAiSimulator::close);
		}

	}

}
