package io.aoaigateway.quota;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.aoaigateway.pricing.PriceCatalogue;
import io.aoaigateway.quota.QuotaProperties.Policy;
import io.aoaigateway.routing.RoutingProperties;

/**
 * The start-up check of money budgets: a cost policy that can cover a deployment without
 * a price would let that deployment's calls through at no cost, so the gateway refuses to
 * start instead, naming the policy and the deployment.
 */
final class CostPolicies {

	private CostPolicies() {
	}

	/**
	 * @param policies the quota policies
	 * @param routing the deployments of the pool
	 * @param prices the price catalogue
	 * @param now the time the prices must be in force at
	 * @throws IllegalStateException when a cost policy covers a deployment without a
	 * price
	 */
	static void requirePrices(QuotaPolicies policies, RoutingProperties routing, PriceCatalogue prices, Instant now) {
		Set<String> deployments = new LinkedHashSet<>();
		routing.backends()
			.forEach((backend) -> backend.deployments().forEach((deployment) -> deployments.add(deployment.name())));
		List<String> unpriced = new ArrayList<>();
		for (Policy policy : policies.costPolicies()) {
			for (String deployment : deployments) {
				boolean covered = policy.deployment() == null || policy.deployment().isBlank()
						|| policy.deployment().equals(deployment);
				if (covered && prices.priceOf(deployment, now) == null) {
					unpriced.add("policy '" + policy.name() + "' covers deployment '" + deployment + "'");
				}
			}
		}
		if (!unpriced.isEmpty()) {
			throw new IllegalStateException("Cost budgets need a price for every deployment they cover, and "
					+ String.join(", ", unpriced) + ", which has no price: give it one in aoai.pricing.models or "
					+ "aoai.pricing.deployments.<deployment>.model or .prices");
		}
	}

}
