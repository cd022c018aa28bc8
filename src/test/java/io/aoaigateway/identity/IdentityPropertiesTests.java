package io.aoaigateway.identity;

import java.time.Clock;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * What a gateway with Entra ID identities refuses to start with, and says so: the
 * configuration is checked per identity (and per backend in RoutingPropertiesTests)
 * before any token is asked for.
 */
class IdentityPropertiesTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
		.withUserConfiguration(Identity.class);

	@Test
	void clientSecretWhenCompleteThenStartsWithoutAskingForAToken() {
		this.runner
			.withPropertyValues("aoai.identity.credentials.app.type=client-secret",
					"aoai.identity.credentials.app.tenant-id=t", "aoai.identity.credentials.app.client-id=c",
					"aoai.identity.credentials.app.client-secret=do-not-print-me")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(BackendCredentials.class).used()).isEmpty();
			});
	}

	@Test
	void clientSecretWhenSecretMissingThenRefusedWithoutPrintingTheOthers() {
		this.runner
			.withPropertyValues("aoai.identity.credentials.app.type=client-secret",
					"aoai.identity.credentials.app.tenant-id=t", "aoai.identity.credentials.app.client-id=c")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("client-secret needs tenant-id, client-id and client-secret"));
	}

	@Test
	void settingOfAnotherTypeWhenGivenThenRefusedNamingIt() {
		this.runner
			.withPropertyValues("aoai.identity.credentials.aks.type=workload-identity",
					"aoai.identity.credentials.aks.tenant-id=t", "aoai.identity.credentials.aks.client-id=c",
					"aoai.identity.credentials.aks.token-file-path=/var/run/token",
					"aoai.identity.credentials.aks.client-secret=do-not-print-me")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining(
						"aoai.identity.credentials.aks: client-secret does not apply to type workload-identity")
				.hasMessageNotContaining("do-not-print-me"));
	}

	@Test
	void workloadIdentityWhenNeitherSettingsNorWebhookVariablesThenRefusedNamingWhatIsMissing() {
		this.runner.withPropertyValues("aoai.identity.credentials.aks.type=workload-identity", "AZURE_TENANT_ID=t")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("AZURE_FEDERATED_TOKEN_FILE")
				.hasMessageContaining("azure.workload.identity/use=true")
				.hasMessageContaining("missing: client-id, token-file-path"));
	}

	@Test
	void workloadIdentityWhenWebhookVariablesAreSetThenStarts() {
		this.runner.withPropertyValues("aoai.identity.credentials.aks.type=workload-identity", "AZURE_TENANT_ID=t",
				"AZURE_CLIENT_ID=c", "AZURE_FEDERATED_TOKEN_FILE=/var/run/secrets/azure/tokens/azure-identity-token")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void authorityHostWhenPlainHttpThenRefused() {
		this.runner
			.withPropertyValues("aoai.identity.credentials.app.type=client-secret",
					"aoai.identity.credentials.app.tenant-id=t", "aoai.identity.credentials.app.client-id=c",
					"aoai.identity.credentials.app.client-secret=s",
					"aoai.identity.credentials.app.authority-host=http://login.example")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("authority-host must be an https URL"));
	}

	@Test
	void backendWhenNamingAnUnknownIdentityThenRefusedNamingBoth() {
		this.runner.run((context) -> {
			BackendCredentials credentials = context.getBean(BackendCredentials.class);

			assertThat(catchThrowable(() -> credentials.forBackend("sweden", null, "aks"))).hasMessageContaining(
					"Backend 'sweden' names credential 'aks', which is not in aoai.identity.credentials");
		});
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(IdentityProperties.class)
	@Import(IdentityConfiguration.class)
	static class Identity {

		@Bean
		Clock clock() {
			return Clock.systemUTC();
		}

		@Bean
		MeterRegistry meterRegistry() {
			return new SimpleMeterRegistry();
		}

	}

}
