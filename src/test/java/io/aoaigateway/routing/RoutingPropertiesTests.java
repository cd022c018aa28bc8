package io.aoaigateway.routing;

import io.aoaigateway.identity.BackendCredentials;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Invalid pool configuration stops the gateway at startup, with a message naming the
 * property.
 */
class RoutingPropertiesTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
		.withUserConfiguration(Properties.class);

	private static final String[] VALID = { "aoai.routing.backends[0].name=a",
			"aoai.routing.backends[0].url=https://a.openai.azure.com", "aoai.routing.backends[0].api-key=secret-a",
			"aoai.routing.backends[0].deployments=gpt-4o" };

	@Test
	void bindWhenValidThenPoolIndexesDeployments() {
		this.runner.withPropertyValues(VALID)
			.withPropertyValues("aoai.routing.backends[1].name=b",
					"aoai.routing.backends[1].url=https://b.openai.azure.com/",
					"aoai.routing.backends[1].api-key=secret-b", "aoai.routing.backends[1].deployments[0].name=gpt-4o",
					"aoai.routing.backends[1].deployments[0].alias=gpt4o-prod", "aoai.routing.backends[1].priority=1")
			.run((context) -> {
				BackendPool pool = new BackendPool(context.getBean(RoutingProperties.class),
						BackendCredentials.keysOnly());
				assertThat(pool.candidates("gpt-4o").orElseThrow().backends()).extracting(BackendDeployment::azureName)
					.containsExactly("gpt-4o", "gpt4o-prod");
				assertThat(pool.candidates("gpt-4o").get().backends().get(1).backend().url())
					.hasToString("https://b.openai.azure.com");
				assertThat(pool.stateful().backends()).extracting((candidate) -> candidate.backend().name())
					.containsExactly("a", "b");
				assertThat(pool.stateful().pinned()).isTrue();
				assertThat(pool.candidates("gpt-4o").orElseThrow().order()).isEqualTo(Candidates.Order.PRIORITY_WEIGHT);
				assertThat(pool.candidates("gpt-5")).isEmpty();
			});
	}

	@Test
	void bindWhenNoBackendsThenStartupFailsNamingTheProperty() {
		this.runner.withPropertyValues("aoai.routing.max-request-size=1MB").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(messages(context.getStartupFailure())).contains("aoai.routing", "backends");
		});
	}

	@Test
	void bindWhenBackendNamesRepeatThenStartupFails() {
		assertStartupFails(
				new String[] { "aoai.routing.backends[1].name=a",
						"aoai.routing.backends[1].url=https://b.openai.azure.com", "aoai.routing.backends[1].api-key=k",
						"aoai.routing.backends[1].deployments=gpt-4o" },
				"aoai.routing.backends[*].name must be unique");
	}

	@Test
	void bindWhenUrlNotHttpThenStartupFailsNamingTheBackend() {
		assertStartupFails(new String[] { "aoai.routing.backends[0].url=ftp://a.example" }, "aoai.routing.backends[0]",
				"url must be an absolute http or https URL");
	}

	@Test
	void bindWhenUrlMalformedThenStartupFailsNamingTheProperty() {
		assertStartupFails(new String[] { "aoai.routing.backends[0].url=https://a b" }, "aoai.routing.backends[0].url");
	}

	@Test
	void bindWhenUrlMissingThenStartupFailsNamingTheProperty() {
		// Found by running the image with a bad config: the URL check threw a
		// NullPointerException, so the log never named the property.
		this.runner
			.withPropertyValues("aoai.routing.backends[0].name=a", "aoai.routing.backends[0].api-key=k",
					"aoai.routing.backends[0].deployments=gpt-4o")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(messages(context.getStartupFailure())).contains("aoai.routing.backends[0].url")
					.doesNotContain("NullPointerException");
			});
	}

	@Test
	void bindWhenNeitherApiKeyNorCredentialThenStartupFailsWithoutPrintingAnyKey() {
		this.runner.withPropertyValues(VALID)
			.withPropertyValues("aoai.routing.backends[1].name=b", "aoai.routing.backends[1].url=https://b.example",
					"aoai.routing.backends[1].deployments=gpt-4o")
			.run((context) -> {
				assertThat(context).hasFailed();
				String message = messages(context.getStartupFailure());
				assertThat(message).contains("backends[1]")
					.contains("exactly one of api-key and credential must be set")
					.doesNotContain("secret-a");
			});
	}

	@Test
	void bindWhenBothApiKeyAndCredentialThenStartupFails() {
		this.runner.withPropertyValues(VALID)
			.withPropertyValues("aoai.routing.backends[1].name=b", "aoai.routing.backends[1].url=https://b.example",
					"aoai.routing.backends[1].deployments=gpt-4o", "aoai.routing.backends[1].api-key=secret-b",
					"aoai.routing.backends[1].credential=aks")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(messages(context.getStartupFailure())).contains("backends[1]")
					.contains("exactly one of api-key and credential must be set")
					.doesNotContain("secret-b");
			});
	}

	@Test
	void bindWhenBackendHostsNoDeploymentThenStartupFails() {
		this.runner
			.withPropertyValues("aoai.routing.backends[0].name=a", "aoai.routing.backends[0].url=https://a.example",
					"aoai.routing.backends[0].api-key=k")
			.run((context) -> assertThat(messages(context.getStartupFailure())).contains("deployments"));
	}

	@Test
	void bindWhenRetiredStatefulBackendSetThenStartupFailsNamingItsReplacement() {
		assertStartupFails(new String[] { "aoai.routing.stateful-backend=a" },
				"aoai.routing.stateful-backend was retired: name the backends that serve stateful APIs in aoai.affinity.backends");
	}

	@Test
	void apiKeyWhenPrintedThenMasked() {
		assertThat(new ApiKey("super-secret")).hasToString("ApiKey[****]");
		assertThat(
				new RoutingProperties.Backend("a", java.net.URI.create("https://a.example"), new ApiKey("super-secret"),
						null, java.util.List.of(new RoutingProperties.Deployment("gpt-4o", null)), 0, 1)
					.toString())
			.doesNotContain("super-secret");
	}

	private void assertStartupFails(String[] extra, String... messageParts) {
		this.runner.withPropertyValues(VALID).withPropertyValues(extra).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(messages(context.getStartupFailure())).contains(messageParts);
		});
	}

	private static String messages(Throwable failure) {
		StringBuilder messages = new StringBuilder();
		for (Throwable t = failure; t != null; t = t.getCause()) {
			messages.append(t.getMessage()).append('\n');
		}
		return messages.toString();
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(RoutingProperties.class)
	static class Properties {

		@Bean
		static DeploymentConverter deploymentConverter() {
			return new DeploymentConverter();
		}

	}

}
