package io.aoaigateway.priority;

import java.time.Duration;
import java.util.List;

import io.aoaigateway.auth.CallerIdentity;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which class a call runs in, what each class may use, and the configurations refused.
 */
class PriorityClassesTests {

	private static final CallerIdentity ALICE = caller("alice", "chat-app", List.of("Gateway.Interactive"), List.of());

	private static final CallerIdentity NIGHTLY = caller("nightly", "etl-job", List.of(), List.of());

	private static final CallerIdentity SUPPORT = caller("sam", "other-app", List.of(), List.of("support-group"));

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
		.withUserConfiguration(Properties.class);

	private final PriorityClasses classes = new PriorityClasses(new PriorityProperties(
			List.of(spec("interactive", 20, Duration.ofSeconds(10)), spec("standard", 30, Duration.ofSeconds(30)),
					spec("batch", 0, Duration.ZERO)),
			"standard",
			List.of(new PriorityProperties.Rule("interactive", List.of("Gateway.Interactive"), List.of(), List.of()),
					new PriorityProperties.Rule("batch", List.of(), List.of(), List.of("etl-job")),
					new PriorityProperties.Rule("interactive", List.of(), List.of("support-group"), List.of())),
			"x-aoai-priority", Duration.ZERO, Duration.ofMinutes(1)));

	@Test
	void classifyThenTheFirstMatchingRuleElseTheDefault() {
		assertThat(this.classes.classify(ALICE, null).name()).isEqualTo("interactive");
		assertThat(this.classes.classify(NIGHTLY, null).name()).isEqualTo("batch");
		assertThat(this.classes.classify(SUPPORT, null).name()).isEqualTo("interactive");
		assertThat(this.classes.classify(caller("bob", "x", List.of(), List.of()), null).name()).isEqualTo("standard");
	}

	@Test
	void classifyWhenTheHeaderAsksThenOnlyALowerClassIsGranted() {
		assertThat(this.classes.classify(ALICE, "batch").name()).isEqualTo("batch");
		assertThat(this.classes.classify(ALICE, " standard ").name()).isEqualTo("standard");
		assertThat(this.classes.classify(NIGHTLY, "interactive").name()).isEqualTo("batch");
		assertThat(this.classes.classify(ALICE, "urgent")).isNull();
		assertThat(this.classes.classify(ALICE, " ").name()).isEqualTo("interactive");
	}

	@Test
	void classesThenEachFloorIsWhatTheClassesAboveReserve() {
		assertThat(this.classes.all()).extracting(PriorityClass::name, PriorityClass::rank, PriorityClass::floor)
			.containsExactly(org.assertj.core.groups.Tuple.tuple("interactive", 0, 0.0),
					org.assertj.core.groups.Tuple.tuple("standard", 1, 0.2),
					org.assertj.core.groups.Tuple.tuple("batch", 2, 0.5));
		assertThat(this.classes.of("batch").queues()).isFalse();
		assertThat(this.classes.of(null)).isEqualTo(PriorityClass.NONE);
		assertThat(this.classes.of("unknown")).isEqualTo(PriorityClass.NONE);
	}

	@Test
	void enabledWhenNoClassesThenOff() {
		PriorityClasses none = new PriorityClasses(new PriorityProperties(List.of(), null, List.of(), "x-aoai-priority",
				Duration.ZERO, Duration.ofMinutes(1)));

		assertThat(none.enabled()).isFalse();
		assertThat(none.classify(ALICE, null)).isEqualTo(PriorityClass.NONE);
		assertThat(this.classes.enabled()).isTrue();
	}

	@Test
	void bindWhenValidThenTheRuleNamesItsClassUnderClass() {
		this.runner
			.withPropertyValues("aoai.priority.classes[0].name=interactive",
					"aoai.priority.classes[0].reserved-share=25", "aoai.priority.classes[0].max-wait=5s",
					"aoai.priority.classes[1].name=batch", "aoai.priority.rules[0].class=interactive",
					"aoai.priority.rules[0].roles=Gateway.Interactive")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				PriorityClasses bound = new PriorityClasses(context.getBean(PriorityProperties.class));
				assertThat(bound.classify(ALICE, null).name()).isEqualTo("interactive");
				assertThat(bound.classify(NIGHTLY, null).name()).isEqualTo("batch");
				assertThat(bound.of("batch").floor()).isEqualTo(0.25);
			});
	}

	@Test
	void bindWhenInconsistentThenRefusedNamingTheProblem() {
		refused("shares of all classes above the lowest must add up to less than 100",
				"aoai.priority.classes[0].name=a", "aoai.priority.classes[0].reserved-share=60",
				"aoai.priority.classes[1].name=b", "aoai.priority.classes[1].reserved-share=40",
				"aoai.priority.classes[2].name=c");
		refused("the lowest class reserves nothing", "aoai.priority.classes[0].name=a",
				"aoai.priority.classes[1].name=b", "aoai.priority.classes[1].reserved-share=10");
		refused("must name one of aoai.priority.classes", "aoai.priority.classes[0].name=a",
				"aoai.priority.default-class=b");
		refused("must name one of aoai.priority.classes", "aoai.priority.classes[0].name=a",
				"aoai.priority.rules[0].class=b", "aoai.priority.rules[0].apps=x");
		refused("needs at least one role, group or app", "aoai.priority.classes[0].name=a",
				"aoai.priority.rules[0].class=a");
		refused("must be unique", "aoai.priority.classes[0].name=a", "aoai.priority.classes[1].name=a");
	}

	private void refused(String message, String... properties) {
		this.runner.withPropertyValues(properties)
			.run((context) -> assertThat(context).getFailure().rootCause().hasMessageContaining(message));
	}

	private static PriorityProperties.PriorityClassSpec spec(String name, int share, Duration maxWait) {
		return new PriorityProperties.PriorityClassSpec(name, share, maxWait, 100, 10);
	}

	private static CallerIdentity caller(String id, String app, List<String> roles, List<String> groups) {
		return new CallerIdentity(id, id, "tenant", app, null, roles, groups);
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(PriorityProperties.class)
	static class Properties {

	}

}
