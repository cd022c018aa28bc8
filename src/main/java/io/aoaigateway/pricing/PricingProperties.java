package io.aoaigateway.pricing;

import java.util.List;
import java.util.Map;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * What calls cost. Built-in prices cover common Azure OpenAI models (Global Standard
 * deployments, USD); the configuration replaces them per model, adds models, and says
 * which model a deployment runs.
 *
 * @param currency the currency's label in answers, usage records and the metrics; it
 * changes no figure, so prices given here must be in it (the built-in ones are USD)
 * @param models per model, its dated prices: they replace the built-in ones for that
 * model, or add the model
 * @param deployments per deployment name of the gateway, the model it runs or its own
 * prices; a deployment not named here runs the model it is named after, alone or with a
 * version or date ({@code gpt-4o-2024-08-06}), else has no price (write names with dots
 * in brackets: {@code "[gpt-4.1-eu]"})
 */
@Validated
@ConfigurationProperties("aoai.pricing")
public record PricingProperties(@DefaultValue("USD") @NotBlank String currency,
		@DefaultValue Map<String, List<@Valid @NotNull PriceEntry>> models,
		@DefaultValue Map<String, @Valid @NotNull Deployment> deployments) {

	@AssertTrue(message = "aoai.pricing.models[*] must list at least one price, each with its own from date")
	public boolean isModelsWellFormed() {
		return this.models.values().stream().allMatch(PricingProperties::wellFormed);
	}

	@AssertTrue(message = "aoai.pricing.deployments[*] must name a model or list prices, each with its own from date")
	public boolean isDeploymentsWellFormed() {
		return this.deployments.values()
			.stream()
			.allMatch((deployment) -> (deployment.model() != null || !deployment.prices().isEmpty())
					&& (deployment.prices().isEmpty() || wellFormed(deployment.prices())));
	}

	private static boolean wellFormed(List<PriceEntry> entries) {
		return !entries.isEmpty() && entries.stream().map(PriceEntry::from).distinct().count() == entries.size();
	}

	/**
	 * One deployment's pricing.
	 *
	 * @param model the model it runs, a key of the built-in or configured models
	 * @param prices its own dated prices, which take precedence over the model's
	 */
	public record Deployment(@Nullable String model, @DefaultValue List<@Valid @NotNull PriceEntry> prices) {

	}

}
