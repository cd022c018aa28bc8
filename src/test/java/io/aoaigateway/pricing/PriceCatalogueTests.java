package io.aoaigateway.pricing;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import io.aoaigateway.usage.TokenUsage;
import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link PriceCatalogue} and {@link Price}.
 */
class PriceCatalogueTests {

	private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");

	@Test
	void builtInWhenReadThenHoldsTheDocumentedModelsWithDottedNames() {
		Map<String, List<PriceEntry>> builtIn = PriceCatalogue.builtIn();

		assertThat(builtIn).containsKeys("gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "o4-mini",
				"gpt-5", "gpt-5-nano", "text-embedding-3-large");
		assertThat(builtIn.get("gpt-4.1").get(0).input()).isEqualByComparingTo("2.00");
	}

	@Test
	void priceOfWhenDeploymentIsNamedAfterAModelAndItsVersionThenThatModel() {
		PriceCatalogue catalogue = PriceCatalogue.withBuiltIns(properties(Map.of()));

		assertThat(catalogue.modelOf("gpt-4o")).isEqualTo("gpt-4o");
		assertThat(catalogue.modelOf("gpt-4o-mini-2024-07-18")).isEqualTo("gpt-4o-mini");
		assertThat(catalogue.modelOf("gpt-4.1-nano-2025-04-14")).isEqualTo("gpt-4.1-nano");
		assertThat(catalogue.priceOf("gpt-4o-mini-2024-07-18", NOW).input()).isEqualByComparingTo("0.15");
		// Another model, or a name of one's own, is not priced as the model it starts
		// with.
		assertThat(catalogue.modelOf("gpt-5-mini")).isNull();
		assertThat(catalogue.modelOf("gpt-4o-realtime-preview")).isNull();
		assertThat(catalogue.modelOf("gpt-4.1-nano-eu")).isNull();
		assertThat(catalogue.modelOf("gpt-4o-")).isNull();
	}

	@Test
	void priceOfWhenModelUnknownThenNone() {
		PriceCatalogue catalogue = PriceCatalogue.withBuiltIns(properties(Map.of()));

		assertThat(catalogue.priceOf("my-llama", NOW)).isNull();
		assertThat(catalogue.priceOf(null, NOW)).isNull();
		assertThat(catalogue.hasPrices("my-llama")).isFalse();
		assertThat(catalogue.hasPrices("gpt-4o")).isTrue();
	}

	@Test
	void priceOfWhenDatedEntriesThenTheLatestOnOrBeforeTheDayApplies() {
		PriceCatalogue catalogue = PriceCatalogue.withBuiltIns(properties(Map.of("aoai.pricing.models.gpt-4o[0].from",
				"2026-01-01", "aoai.pricing.models.gpt-4o[0].input", "3", "aoai.pricing.models.gpt-4o[0].output", "12",
				"aoai.pricing.models.gpt-4o[1].from", "2026-12-01", "aoai.pricing.models.gpt-4o[1].input", "1",
				"aoai.pricing.models.gpt-4o[1].output", "4")));

		assertThat(catalogue.priceOf("gpt-4o", Instant.parse("2025-12-31T23:59:59Z"))).isNull();
		assertThat(catalogue.priceOf("gpt-4o", Instant.parse("2026-01-01T00:00:00Z")).input())
			.isEqualByComparingTo("3");
		assertThat(catalogue.priceOf("gpt-4o", Instant.parse("2026-11-30T23:59:59.999Z")).input())
			.isEqualByComparingTo("3");
		assertThat(catalogue.priceOf("gpt-4o", Instant.parse("2026-12-01T00:00:00Z")).input())
			.isEqualByComparingTo("1");
	}

	@Test
	void priceOfWhenConfiguredThenReplacesTheBuiltInListAndDefaultsCachedAndReasoning() {
		PriceCatalogue catalogue = PriceCatalogue
			.withBuiltIns(properties(Map.of("aoai.pricing.models.gpt-4o[0].from", "2026-06-01",
					"aoai.pricing.models.gpt-4o[0].input", "5", "aoai.pricing.models.gpt-4o[0].output", "20")));

		Price price = catalogue.priceOf("gpt-4o", NOW);

		assertThat(price).isEqualTo(new Price(LocalDate.parse("2026-06-01"), new BigDecimal("5"), new BigDecimal("5"),
				new BigDecimal("20"), new BigDecimal("20")));
		// The built-in entry (from 2024) is gone with the list it was in.
		assertThat(catalogue.priceOf("gpt-4o", Instant.parse("2025-01-01T00:00:00Z"))).isNull();
	}

	@Test
	void priceOfWhenDeploymentConfiguredThenItsModelOrOwnPricesApply() {
		PriceCatalogue catalogue = PriceCatalogue.withBuiltIns(properties(Map.of("aoai.pricing.deployments.chat.model",
				"gpt-4.1-mini", "aoai.pricing.deployments.cheap.prices[0].from", "2024-01-01",
				"aoai.pricing.deployments.cheap.prices[0].input", "0.01",
				"aoai.pricing.deployments.cheap.prices[0].output", "0.02")));

		assertThat(catalogue.priceOf("chat", NOW).input()).isEqualByComparingTo("0.40");
		assertThat(catalogue.priceOf("cheap", NOW).output()).isEqualByComparingTo("0.02");
	}

	@Test
	void costOfWhenCachedAndReasoningTokensThenEachPartAtItsPrice() {
		Price price = new Price(LocalDate.EPOCH, new BigDecimal("2.50"), new BigDecimal("1.25"), new BigDecimal("10"),
				new BigDecimal("12"));

		// (1000 - 400) x 2.50 + 400 x 1.25 + (300 - 100) x 10 + 100 x 12 micro-units
		long cost = price.costOf(new TokenUsage(1_000, 300, 400, 100));

		assertThat(cost).isEqualTo(1_500 + 500 + 2_000 + 1_200);
	}

	@Test
	void costOfWhenFractionOfAMicroUnitThenRoundsUp() {
		Price price = new Price(LocalDate.EPOCH, new BigDecimal("0.075"), new BigDecimal("0.03"), new BigDecimal("0.6"),
				new BigDecimal("0.6"));

		assertThat(price.costOf(new TokenUsage(1, 0, 0, 0))).isEqualTo(1);
		assertThat(price.costOf(new TokenUsage(40, 0, 0, 0))).isEqualTo(3);
		assertThat(price.costOf(new TokenUsage(0, 0, 0, 0))).isZero();
		assertThat(price.costOf(new TokenUsage(10, 10, 10, 0))).isEqualTo(7);
	}

	@Test
	void worstCaseOfWhenReasoningDearerThenEveryOutputTokenAtReasoningAndNoInputCached() {
		Price price = new Price(LocalDate.EPOCH, new BigDecimal("2"), new BigDecimal("0.5"), new BigDecimal("8"),
				new BigDecimal("9"));

		assertThat(price.worstCaseOf(100, 50)).isEqualTo(200 + 450);
		assertThat(price.worstCaseOf(100, 50)).isGreaterThanOrEqualTo(price.costOf(new TokenUsage(100, 50, 100, 50)))
			.isGreaterThanOrEqualTo(price.costOf(new TokenUsage(100, 50, 0, 0)));
	}

	@Test
	void costOfWhenPriceHasMoreThanSixDecimalsOrUsageIsHugeThenRoundedUpOrSaturatedNeverUnder() {
		// 0.0000005 per 1M tokens is half a pico-unit a token: counted as a whole one.
		Price fine = new Price(LocalDate.EPOCH, new BigDecimal("0.0000005"), new BigDecimal("0.0000005"),
				new BigDecimal("1"), new BigDecimal("1"));
		Price dear = new Price(LocalDate.EPOCH, new BigDecimal("100"), new BigDecimal("100"), new BigDecimal("100"),
				new BigDecimal("100"));

		assertThat(fine.costOf(new TokenUsage(1_000_000, 0, 0, 0))).isEqualTo(1);
		assertThat(dear.worstCaseOf(Long.MAX_VALUE / 4, Long.MAX_VALUE / 4)).isEqualTo(Long.MAX_VALUE);
		assertThat(dear.costOf(new TokenUsage(1_000_000_000L, 1, 0, 0))).isEqualTo(100_000_000_100L);
	}

	@Test
	void toCurrencyWhenMicrosThenExactDecimal() {
		assertThat(Price.toCurrency(1_234_567)).isEqualByComparingTo("1.234567");
		assertThat(Price.toMicros(new BigDecimal("0.0000001"))).isEqualTo(1);
		assertThat(Price.toMicros(new BigDecimal("2.5"))).isEqualTo(2_500_000);
	}

	private static PricingProperties properties(Map<String, String> properties) {
		return new Binder(new MapConfigurationPropertySource(properties)).bindOrCreate("aoai.pricing",
				PricingProperties.class);
	}

}
