package io.aoaigateway.quota;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

import io.aoaigateway.auth.CallerIdentity;
import io.aoaigateway.pricing.Price;
import io.aoaigateway.quota.QuotaProperties.Policy;
import io.aoaigateway.quota.QuotaProperties.Scope;
import org.jspecify.annotations.Nullable;

/**
 * Which policies apply to a caller and a deployment, and the windows they count in.
 * <p>
 * For {@code user} and {@code app} policies, a policy naming the caller replaces the
 * default policy (no subject) of the same scope and deployment; {@code group} and
 * {@code role} policies apply to every member, and count them together; {@code class}
 * policies apply to every call of their priority class, and count them together. A policy
 * with a cost limit counts in windows of cost (micro-units of the currency) beside its
 * windows of tokens.
 */
final class QuotaPolicies {

	private final List<Policy> policies;

	QuotaPolicies(List<Policy> policies) {
		this.policies = List.copyOf(policies);
	}

	boolean isEmpty() {
		return this.policies.isEmpty();
	}

	/**
	 * The windows a call must have room in.
	 * @param caller who calls
	 * @param deployment the deployment called, null for calls without one
	 * @param priorityClass the call's priority class, null when priorities are off
	 * @param now the current time
	 * @return the windows, each with its policy
	 */
	List<AppliedWindow> windows(CallerIdentity caller, @Nullable String deployment, @Nullable String priorityClass,
			Instant now) {
		return windows(caller, (policy) -> policy.deployment() == null || policy.deployment().isBlank()
				|| policy.deployment().equals(deployment), priorityClass, now);
	}

	/**
	 * @return the policies that limit cost
	 */
	List<Policy> costPolicies() {
		return this.policies.stream().filter(Policy::limitsCost).toList();
	}

	/**
	 * Every window that counts any call of a caller, whatever the deployment: what the
	 * caller sees of their quota. Class policies are left out: a class belongs to a call,
	 * not to a caller.
	 * @param caller who asks
	 * @param now the current time
	 * @return the windows, each with its policy
	 */
	List<AppliedWindow> allWindows(CallerIdentity caller, Instant now) {
		return windows(caller, (policy) -> true, null, now);
	}

	private List<AppliedWindow> windows(CallerIdentity caller, Predicate<Policy> deploymentMatches,
			@Nullable String priorityClass, Instant now) {
		List<AppliedWindow> windows = new ArrayList<>();
		for (Policy policy : applicable(caller, deploymentMatches, priorityClass)) {
			String subject = subjectOf(policy, caller);
			add(windows, policy, subject, QuotaPeriod.MINUTE, QuotaUnit.TOKENS, policy.tokensPerMinute(), now);
			add(windows, policy, subject, QuotaPeriod.DAY, QuotaUnit.TOKENS, policy.tokensPerDay(), now);
			add(windows, policy, subject, QuotaPeriod.MONTH, QuotaUnit.TOKENS, policy.tokensPerMonth(), now);
			add(windows, policy, subject, QuotaPeriod.DAY, QuotaUnit.COST, micros(policy.costPerDay()), now);
			add(windows, policy, subject, QuotaPeriod.MONTH, QuotaUnit.COST, micros(policy.costPerMonth()), now);
		}
		return windows;
	}

	private static @Nullable Long micros(@Nullable BigDecimal amount) {
		return (amount != null) ? Price.toMicros(amount) : null;
	}

	private List<Policy> applicable(CallerIdentity caller, Predicate<Policy> deploymentMatches,
			@Nullable String priorityClass) {
		List<Policy> result = new ArrayList<>();
		result.addAll(personal(Scope.USER, caller.id(), deploymentMatches));
		if (caller.appId() != null) {
			result.addAll(personal(Scope.APP, caller.appId(), deploymentMatches));
		}
		for (Policy policy : this.policies) {
			boolean member = (policy.scope() == Scope.GROUP && caller.groups().contains(policy.subject()))
					|| (policy.scope() == Scope.ROLE && caller.roles().contains(policy.subject()))
					|| (policy.scope() == Scope.CLASS && priorityClass != null
							&& priorityClass.equals(policy.subject()));
			if (member && deploymentMatches.test(policy)) {
				result.add(policy);
			}
		}
		return result;
	}

	// Per deployment (or none), the caller's own policies replace the defaults.
	private List<Policy> personal(Scope scope, String id, Predicate<Policy> deploymentMatches) {
		Map<String, List<Policy>> own = new LinkedHashMap<>();
		Map<String, List<Policy>> defaults = new LinkedHashMap<>();
		for (Policy policy : this.policies) {
			if (policy.scope() != scope || !deploymentMatches.test(policy)) {
				continue;
			}
			String deployment = Objects.requireNonNullElse(policy.deployment(), "");
			if (policy.isDefault()) {
				defaults.computeIfAbsent(deployment, (key) -> new ArrayList<>()).add(policy);
			}
			else if (id.equals(policy.subject())) {
				own.computeIfAbsent(deployment, (key) -> new ArrayList<>()).add(policy);
			}
		}
		List<Policy> result = new ArrayList<>();
		defaults.forEach((deployment, list) -> {
			if (!own.containsKey(deployment)) {
				result.addAll(list);
			}
		});
		own.values().forEach(result::addAll);
		return result;
	}

	private static String subjectOf(Policy policy, CallerIdentity caller) {
		return switch (policy.scope()) {
			case USER -> caller.id();
			case APP -> Objects.requireNonNull(caller.appId());
			case GROUP, ROLE, CLASS -> Objects.requireNonNull(policy.subject());
		};
	}

	private static void add(List<AppliedWindow> windows, Policy policy, String subject, QuotaPeriod period,
			QuotaUnit unit, @Nullable Long limit, Instant now) {
		if (limit == null) {
			return;
		}
		QuotaPeriod.Window window = period.at(now);
		// "$" keeps a cost window's key apart from the token window of the same period.
		String key = policy.scope().name().toLowerCase(Locale.ROOT) + ":" + subject + ":" + policy.name() + ":"
				+ ((unit == QuotaUnit.COST) ? "$" : "") + window.id();
		windows.add(new AppliedWindow(policy, period, new QuotaWindow(key, unit, limit, window.resetsAt())));
	}

	/**
	 * A window with the policy and period it belongs to.
	 *
	 * @param policy the policy
	 * @param period the period
	 * @param window the counter
	 */
	record AppliedWindow(Policy policy, QuotaPeriod period, QuotaWindow window) {
	}

}
