package io.aoaigateway.auth;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The token validation settings as the gateway binds and checks them at start-up.
 */
class AuthPropertiesTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
		.withUserConfiguration(Properties.class)
		.withPropertyValues("aoai.auth.issuers=https://login.microsoftonline.com/tenant/v2.0",
				"aoai.auth.audiences=api://aoai-gateway");

	@Test
	void tokenCacheWhenNotConfiguredThenRemembersTenThousandTokens() {
		this.runner.run((context) -> assertThat(context.getBean(AuthProperties.class).tokenCache().maxEntries())
			.isEqualTo(10_000));
	}

	@Test
	void tokenCacheWhenMaxEntriesZeroThenAcceptedAsOff() {
		this.runner.withPropertyValues("aoai.auth.token-cache.max-entries=0")
			.run((context) -> assertThat(context.getBean(AuthProperties.class).tokenCache().maxEntries()).isZero());
	}

	@Test
	void tokenCacheWhenMaxEntriesNegativeThenStartupFails() {
		this.runner.withPropertyValues("aoai.auth.token-cache.max-entries=-1")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("tokenCache.maxEntries"));
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(AuthProperties.class)
	static class Properties {

	}

}
