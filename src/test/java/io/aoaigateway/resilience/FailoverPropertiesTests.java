package io.aoaigateway.resilience;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * The relations between the failover's timeouts, attempts and budget, checked when the
 * gateway starts.
 */
class FailoverPropertiesTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
		.withUserConfiguration(Properties.class);

	@Test
	void defaultsWhenBoundThenValidAndEveryTimeoutLeavesRoomForAnotherAttempt() {
		this.runner.run((context) -> {
			FailoverProperties properties = context.getBean(FailoverProperties.class);

			assertThat(properties.attemptTimeout()).isEqualTo(Duration.ofSeconds(30));
			assertThat(properties.generationTimeout()).isEqualTo(Duration.ofSeconds(120));
			assertThat(properties.timeBudget()).isGreaterThan(properties.attemptTimeout())
				.isGreaterThan(properties.generationTimeout());
			assertThat(properties.maxCooldown()).isEqualTo(Duration.ofSeconds(60));
			assertThat(properties.longestWait(properties.attemptTimeout())).isEqualTo(Duration.ofSeconds(90));
			assertThat(properties.longestWait(properties.generationTimeout())).isEqualTo(Duration.ofSeconds(270));
		});
	}

	@Test
	void budgetWhenNotLongerThanAnAttemptTimeoutThenStartupFails() {
		this.runner.withPropertyValues("aoai.failover.time-budget=60s", "aoai.failover.generation-timeout=60s")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("aoai.failover.time-budget must be longer than attempt-timeout"));
		this.runner.withPropertyValues("aoai.failover.time-budget=20s")
			.run((context) -> assertThat(context).hasFailed());
	}

	@Test
	void budgetWhenOnlyOneAttemptThenMayBeShorterThanTheTimeouts() {
		this.runner.withPropertyValues("aoai.failover.max-attempts=1", "aoai.failover.time-budget=10s")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void defaultCooldownWhenLongerThanTheCapThenStartupFails() {
		this.runner.withPropertyValues("aoai.failover.default-cooldown=2m")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("default-cooldown must not be longer than max-cooldown"));
	}

	@Test
	void durationsWhenZeroThenStartupFails() {
		this.runner.withPropertyValues("aoai.failover.body-idle-timeout=0s")
			.run((context) -> assertThat(context).hasFailed());
		this.runner.withPropertyValues("aoai.failover.max-cooldown=0s", "aoai.failover.default-cooldown=0s")
			.run((context) -> assertThat(context).hasFailed());
	}

	@Test
	void longestWaitWhenFewAttemptsThenAttemptsTimesTimeoutElseBudgetPlusTimeout() {
		FailoverProperties properties = bind("aoai.failover.max-attempts=5", "aoai.failover.time-budget=40s",
				"aoai.failover.generation-timeout=30s");

		assertThat(properties.longestWait(Duration.ofSeconds(5))).isEqualTo(Duration.ofSeconds(25));
		assertThat(properties.longestWait(Duration.ofSeconds(30))).isEqualTo(Duration.ofSeconds(70));
	}

	@Test
	void gatewayResponseTimeoutWhenShorterThanAnAttemptTimeoutThenRefused() {
		FailoverProperties properties = bind();

		FailoverConfiguration.checkResponseTimeout(properties, null);
		FailoverConfiguration.checkResponseTimeout(properties, Duration.ofSeconds(120));
		assertThatIllegalStateException()
			.isThrownBy(() -> FailoverConfiguration.checkResponseTimeout(properties, Duration.ofSeconds(60)))
			.withMessageContaining("response-timeout (PT1M) is shorter than aoai.failover's longest attempt timeout");
	}

	private FailoverProperties bind(String... values) {
		FailoverProperties[] bound = new FailoverProperties[1];
		this.runner.withPropertyValues(values).run((context) -> bound[0] = context.getBean(FailoverProperties.class));
		return bound[0];
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(FailoverProperties.class)
	static class Properties {

	}

}
