package io.aoaigateway;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import io.aoaigateway.affinity.AffinityProperties;
import io.aoaigateway.auth.AuthProperties;
import io.aoaigateway.pricing.PricingProperties;
import io.aoaigateway.priority.PriorityProperties;
import io.aoaigateway.quota.QuotaProperties;
import io.aoaigateway.resilience.FailoverProperties;
import io.aoaigateway.routing.DeploymentConverter;
import io.aoaigateway.routing.RoutingProperties;
import io.aoaigateway.state.StateProperties;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.FileSystemResource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every example under {@code config/} binds and validates, so the examples cannot rot.
 */
class ConfigExamplesTests {

	static Stream<Path> examples() throws IOException {
		try (Stream<Path> files = Files.list(Path.of("config"))) {
			List<Path> yaml = files.filter((file) -> file.toString().endsWith(".yaml")).sorted().toList();
			assertThat(yaml).isNotEmpty();
			return yaml.stream();
		}
	}

	@ParameterizedTest
	@MethodSource("examples")
	void exampleWhenBoundThenValid(Path example) throws IOException {
		List<PropertySource<?>> sources = new YamlPropertySourceLoader().load(example.toString(),
				new FileSystemResource(example));

		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
			.withUserConfiguration(Properties.class)
			.withInitializer((context) -> sources.forEach(context.getEnvironment().getPropertySources()::addFirst))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(RoutingProperties.class).backends()).isNotEmpty();
				assertThat(context.getBean(AuthProperties.class).issuers()).isNotEmpty();
			});
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties({ RoutingProperties.class, AuthProperties.class, QuotaProperties.class,
			StateProperties.class, FailoverProperties.class, AffinityProperties.class, PriorityProperties.class })
	static class Properties {

		@Bean
		static DeploymentConverter deploymentConverter() {
			return new DeploymentConverter();
		}

	}

}
