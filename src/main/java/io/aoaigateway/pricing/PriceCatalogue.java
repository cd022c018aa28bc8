package io.aoaigateway.pricing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.ResolvableType;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;

/**
 * The prices of every deployment, by date: the built-in per-model prices
 * ({@code prices.yaml}), replaced or extended per model by {@code aoai.pricing.models},
 * and the model (or own prices) of each deployment from {@code aoai.pricing.deployments}.
 * A deployment not configured runs the model it is named after: the model's name alone,
 * or followed by a version or date ({@code gpt-4o-mini-2024-07-18} runs
 * {@code gpt-4o-mini}); any other name ({@code gpt-5-mini} when only {@code gpt-5} is
 * known, {@code chat-prod}) has no price until configured.
 */
public final class PriceCatalogue {

	private static final Resource BUILT_IN = new ClassPathResource("prices.yaml", PriceCatalogue.class);

	private final String currency;

	// Per model, its prices by day, newest first.
	private final Map<String, List<Price>> models = new HashMap<>();

	private final Map<String, List<Price>> deployments = new HashMap<>();

	private final Map<String, String> deploymentModels = new HashMap<>();

	/**
	 * @param properties the configured prices
	 * @param builtIn per model, the built-in prices
	 */
	public PriceCatalogue(PricingProperties properties, Map<String, List<PriceEntry>> builtIn) {
		this.currency = properties.currency();
		builtIn.forEach((model, entries) -> this.models.put(model, newestFirst(entries)));
		properties.models().forEach((model, entries) -> this.models.put(model, newestFirst(entries)));
		properties.deployments().forEach((name, deployment) -> {
			if (!deployment.prices().isEmpty()) {
				this.deployments.put(name, newestFirst(deployment.prices()));
			}
			if (deployment.model() != null) {
				this.deploymentModels.put(name, deployment.model());
			}
		});
	}

	/**
	 * @param properties the configured prices
	 * @return the catalogue over the built-in prices
	 */
	public static PriceCatalogue withBuiltIns(PricingProperties properties) {
		return new PriceCatalogue(properties, builtIn());
	}

	/**
	 * @return the built-in prices, per model
	 */
	public static Map<String, List<PriceEntry>> builtIn() {
		try {
			List<PropertySource<?>> sources = new YamlPropertySourceLoader().load("built-in prices", BUILT_IN);
			Bindable<Map<String, List<PriceEntry>>> models = Bindable
				.of(ResolvableType.forClassWithGenerics(Map.class, ResolvableType.forClass(String.class),
						ResolvableType.forClassWithGenerics(List.class, PriceEntry.class)));
			return new Binder(ConfigurationPropertySources.from(sources)).bind("models", models).orElse(Map.of());
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot read the built-in prices", ex);
		}
	}

	/**
	 * @return the currency's label
	 */
	public String currency() {
		return this.currency;
	}

	/**
	 * The prices in force for a deployment at an instant: the entry with the latest day
	 * on or before it (days are UTC).
	 * @param deployment the gateway's deployment name, null for calls without one
	 * @param at the instant
	 * @return the prices, null when the deployment has none then
	 */
	public @Nullable Price priceOf(@Nullable String deployment, Instant at) {
		List<Price> prices = pricesOf(deployment);
		if (prices == null) {
			return null;
		}
		LocalDate day = LocalDate.ofInstant(at, ZoneOffset.UTC);
		for (Price price : prices) {
			if (!price.from().isAfter(day)) {
				return price;
			}
		}
		return null;
	}

	/**
	 * @param deployment the gateway's deployment name
	 * @return whether the deployment has any prices, at any date
	 */
	public boolean hasPrices(String deployment) {
		return pricesOf(deployment) != null;
	}

	/**
	 * @param deployment the gateway's deployment name
	 * @return the model it is priced as, null when it has none (or its own prices only)
	 */
	public @Nullable String modelOf(String deployment) {
		String configured = this.deploymentModels.get(deployment);
		if (configured != null) {
			return configured;
		}
		return longestPrefix(deployment, this.models.keySet());
	}

	private @Nullable List<Price> pricesOf(@Nullable String deployment) {
		if (deployment == null) {
			return null;
		}
		List<Price> own = this.deployments.get(deployment);
		if (own != null) {
			return own;
		}
		String model = modelOf(deployment);
		return (model != null) ? this.models.get(model) : null;
	}

	// A model's name, alone or followed by a version or date ("gpt-4o-2024-08-06"): not
	// by anything else, which names another model more often than not ("gpt-5-mini",
	// "gpt-4o-realtime-preview" are not priced as "gpt-5" and "gpt-4o").
	private static @Nullable String longestPrefix(String deployment, Set<String> models) {
		String best = null;
		for (String model : models) {
			if (namedAfter(deployment, model) && (best == null || model.length() > best.length())) {
				best = model;
			}
		}
		return best;
	}

	private static boolean namedAfter(String deployment, String model) {
		if (!deployment.startsWith(model)) {
			return false;
		}
		int rest = model.length();
		return deployment.length() == rest || (deployment.length() > rest + 1 && deployment.charAt(rest) == '-'
				&& Character.isDigit(deployment.charAt(rest + 1)));
	}

	private static List<Price> newestFirst(List<PriceEntry> entries) {
		return entries.stream().map(PriceEntry::price).sorted(Comparator.comparing(Price::from).reversed()).toList();
	}

}
