package io.aoaigateway.quota;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.aoaigateway.auth.CallerIdentity;
import io.aoaigateway.pricing.PriceCatalogue;
import io.aoaigateway.quota.QuotaProperties.Policy;
import io.aoaigateway.quota.QuotaProperties.Scope;
import io.aoaigateway.routing.ApiFamily;
import io.aoaigateway.routing.ApiOperation;
import io.aoaigateway.routing.BodyAmendment;
import io.aoaigateway.routing.Candidates;
import io.aoaigateway.routing.RequestFacts;
import io.aoaigateway.routing.RouteTarget;
import io.aoaigateway.routing.RouteTarget.DeploymentSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What quotas add to a call's body and reserve for it, decided without an exchange.
 */
class QuotaChargingTests {

	private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");

	private static final CallerIdentity ALICE = new CallerIdentity("alice", "alice", "t", "app-1", null, List.of(),
			List.of());

	private static final String CHAT_PATH = "/openai/deployments/gpt-4o/chat/completions";

	private static final Policy PER_USER = new Policy("user-default", Scope.USER, null, null, 1_000L, null, null, null,
			null);

	@Test
	void amendmentWhenStampUserOnThenUserIsThePseudonymNeverTheId() {
		BodyAmendment amendment = charging(List.of(), true).amendment(ALICE, chat(), facts("{\"messages\":[]}"),
				CHAT_PATH);

		assertThat(amendment).isNotNull();
		assertThat(amendment.user()).isNotBlank().doesNotContain("alice");
		assertThat(amendment.includeUsage()).isFalse();
	}

	@Test
	void amendmentWhenStampUserOffAndNotAStreamThenNone() {
		assertThat(charging(List.of(), false).amendment(ALICE, chat(), facts("{\"messages\":[]}"), CHAT_PATH)).isNull();
	}

	@Test
	void amendmentWhenChatStreamWithoutUsageOptionThenUsageIsAskedFor() {
		BodyAmendment amendment = charging(List.of(), false).amendment(ALICE, chat(),
				facts("{\"stream\":true,\"messages\":[]}"), CHAT_PATH);

		assertThat(amendment).isEqualTo(new BodyAmendment(null, true));
	}

	@Test
	void amendmentWhenTheClientAskedForUsageOrTheCallIsAnExtensionThenNotAskedAgain() {
		QuotaCharging charging = charging(List.of(), false);

		assertThat(charging.amendment(ALICE, chat(),
				facts("{\"stream\":true,\"stream_options\":{\"include_usage\":true}}"), CHAT_PATH))
			.isNull();
		assertThat(charging.amendment(ALICE, chat(), facts("{\"stream\":true}"),
				"/openai/deployments/gpt-4o/extensions/chat/completions"))
			.isNull();
	}

	@Test
	void amendmentWhenOperationTakesNoUserOrSpendsNothingOrBodyIsNotJsonThenNone() {
		QuotaCharging charging = charging(List.of(), true);
		RouteTarget inference = target(ApiFamily.MODEL_INFERENCE, ApiOperation.INFERENCE, DeploymentSource.BODY);
		RouteTarget upload = target(ApiFamily.ASSISTANTS, ApiOperation.OTHER, DeploymentSource.NONE);

		assertThat(charging.amendment(ALICE, inference, facts("{\"model\":\"m\"}"), "/models/chat/completions"))
			.isNull();
		assertThat(charging.amendment(ALICE, upload, facts("{}"), "/openai/files")).isNull();
		assertThat(charging.amendment(ALICE, chat(), facts("{\"messages\":"), CHAT_PATH)).isNull();
	}

	@Test
	void reservationWhenNoPolicyOrNothingSpentThenNone() {
		assertThat(charging(List.of(), true).enforcing()).isFalse();
		assertThat(charging(List.of(), true).reservation(ALICE, chat(), facts("{}"), 2, null, NOW)).isNull();
		assertThat(charging(List.of(PER_USER), true).reservation(ALICE,
				target(ApiFamily.ASSISTANTS, ApiOperation.OTHER, DeploymentSource.NONE), facts("{}"), 2, null, NOW))
			.isNull();
	}

	@Test
	void reservationWhenAPolicyAppliesThenTheEstimateInItsWindows() {
		Reservation reservation = charging(List.of(PER_USER), true).reservation(ALICE, chat(),
				facts("{\"max_tokens\":100}"), 400, null, NOW);

		assertThat(reservation).isNotNull();
		assertThat(reservation.estimate()).isEqualTo(new TokenEstimate(100, 100));
		assertThat(reservation.applied()).hasSize(1);
		assertThat(reservation.operation()).isEqualTo(ApiOperation.CHAT);
	}

	@Test
	void reservationWhenACostPolicyAndAClassPolicyApplyThenPricedAtTheWorstCaseInBothUnits() {
		Policy spend = new Policy("spend", Scope.USER, null, null, null, null, null, new BigDecimal("10"), null);
		Policy batch = new Policy("batch", Scope.CLASS, "batch", null, 5_000L, null, null, null, null);

		Reservation reservation = charging(List.of(spend, batch), true).reservation(ALICE, chat(),
				facts("{\"max_tokens\":100}"), 400, "batch", NOW);

		// gpt-4o's built-in price, 2.50 input and 10.00 output per 1M tokens, in
		// micro-units.
		assertThat(reservation.price()).isNotNull();
		assertThat(reservation.amount()).isEqualTo(new Amount(200, 250 + 1_000));
		assertThat(reservation.applied()).extracting((window) -> window.policy().name())
			.containsExactly("spend", "batch");
		assertThat(charging(List.of(spend, batch), true)
			.reservation(ALICE, chat(), facts("{\"max_tokens\":100}"), 400, null, NOW)
			.applied()).extracting((window) -> window.policy().name()).containsExactly("spend");
	}

	@Test
	void reservationWhenACostPolicyCoversACallWithoutAPriceThenThatPolicyRefusesIt() {
		Policy spend = new Policy("spend", Scope.USER, null, null, null, null, null, new BigDecimal("10"), null);
		RouteTarget responses = target(ApiFamily.ASSISTANTS, ApiOperation.RESPONSES, DeploymentSource.NONE);

		// A Responses call is priced by its body's model; one the catalogue does not know
		// would spend the budget without being charged.
		Reservation unknown = charging(List.of(spend, PER_USER), true).reservation(ALICE, responses,
				facts("{\"model\":\"my-finetune\",\"input\":\"Hi\"}"), 40, null, NOW);
		Reservation known = charging(List.of(spend, PER_USER), true).reservation(ALICE, responses,
				facts("{\"model\":\"gpt-4o-mini\",\"input\":\"Hi\"}"), 40, null, NOW);
		Reservation tokensOnly = charging(List.of(PER_USER), true).reservation(ALICE, responses,
				facts("{\"model\":\"my-finetune\",\"input\":\"Hi\"}"), 40, null, NOW);

		Reservation run = charging(List.of(spend), true).reservation(ALICE,
				target(ApiFamily.ASSISTANTS, ApiOperation.RUN, DeploymentSource.NONE), facts("{}"), 2, null, NOW);

		assertThat(QuotaCharging.unpricedCostPolicy(unknown, responses, facts("{\"model\":\"my-finetune\"}")))
			.isEqualTo(spend);
		assertThat(QuotaCharging.unpricedCostPolicy(known, responses, facts("{\"model\":\"gpt-4o-mini\"}"))).isNull();
		assertThat(QuotaCharging.unpricedCostPolicy(tokensOnly, responses, facts("{\"model\":\"my-finetune\"}")))
			.isNull();
		// An Assistants run names no model: money budgets do not cover it.
		assertThat(QuotaCharging.unpricedCostPolicy(run,
				target(ApiFamily.ASSISTANTS, ApiOperation.RUN, DeploymentSource.NONE), facts("{}")))
			.isNull();
	}

	@Test
	void reservationWhenManyThenEveryIdIsUniqueAndTwoReplicasNeverShareOne() {
		QuotaCharging first = charging(List.of(PER_USER), true);
		QuotaCharging second = charging(List.of(PER_USER), true);
		Set<String> ids = new HashSet<>();

		for (int i = 0; i < 1_000; i++) {
			ids.add(first.reservation(ALICE, chat(), facts("{}"), 2, null, NOW).id());
			ids.add(second.reservation(ALICE, chat(), facts("{}"), 2, null, NOW).id());
		}

		assertThat(ids).hasSize(2_000);
	}

	private static QuotaCharging charging(List<Policy> policies, boolean stampUser) {
		return new QuotaCharging(
				new QuotaProperties(policies, 4096, java.time.Duration.ofMinutes(5),
						new QuotaProperties.Journal(10_000, java.time.Duration.ofSeconds(10)),
						new QuotaProperties.SettleBatch(64, java.time.Duration.ofMillis(5)), stampUser, "test-key",
						QuotaFixtures.SETTLEMENT),
				PriceCatalogue.withBuiltIns(QuotaFixtures.pricing(java.util.Map.of())));
	}

	private static RouteTarget chat() {
		return target(ApiFamily.DEPLOYMENTS, ApiOperation.CHAT, DeploymentSource.PATH);
	}

	private static RouteTarget target(ApiFamily family, ApiOperation operation, DeploymentSource source) {
		return new RouteTarget(family, operation, (source == DeploymentSource.NONE) ? null : "gpt-4o", source,
				new Candidates(List.of(), Candidates.Order.PRIORITY_WEIGHT, false));
	}

	private static RequestFacts facts(String json) {
		return RequestFacts.read(json.getBytes(StandardCharsets.UTF_8));
	}

}
