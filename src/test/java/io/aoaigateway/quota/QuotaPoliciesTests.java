package io.aoaigateway.quota;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import io.aoaigateway.auth.CallerIdentity;
import io.aoaigateway.quota.QuotaPolicies.AppliedWindow;
import io.aoaigateway.quota.QuotaProperties.Policy;
import io.aoaigateway.quota.QuotaProperties.Scope;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class QuotaPoliciesTests {

	private static final Instant NOW = Instant.parse("2026-11-25T23:59:30Z");

	private static final CallerIdentity ALICE = new CallerIdentity("oid-alice", "sub", "tid", "app-1", "Alice",
			List.of("reader"), List.of("group-research"));

	@Test
	void windowsWhenUserHasOwnPolicyThenItReplacesTheDefault() {
		QuotaPolicies policies = new QuotaPolicies(List.of(policy("default", Scope.USER, null, null, 100L, null, null),
				policy("alice", Scope.USER, "oid-alice", null, 1000L, null, null)));

		assertThat(names(policies.windows(ALICE, "gpt-4o", null, NOW))).containsExactly("alice");
	}

	@Test
	void windowsWhenDeploymentScopedThenAddedOnTopOnlyForThatDeployment() {
		QuotaPolicies policies = new QuotaPolicies(List.of(policy("default", Scope.USER, null, null, 100L, null, null),
				policy("gpt-4o", Scope.USER, null, "gpt-4o", 50L, null, null)));

		assertThat(names(policies.windows(ALICE, "gpt-4o", null, NOW))).containsExactly("default", "gpt-4o");
		assertThat(names(policies.windows(ALICE, "gpt-4o-mini", null, NOW))).containsExactly("default");
		assertThat(names(policies.allWindows(ALICE, NOW))).containsExactly("default", "gpt-4o");
	}

	@Test
	void windowsWhenGroupAndRolePoliciesThenOnlyMembersAndSharedKeys() {
		QuotaPolicies policies = new QuotaPolicies(
				List.of(policy("research", Scope.GROUP, "group-research", null, null, null, 10_000L),
						policy("writers", Scope.ROLE, "writer", null, 100L, null, null),
						policy("apps", Scope.APP, null, null, null, 5_000L, null)));

		List<AppliedWindow> windows = policies.windows(ALICE, "gpt-4o", null, NOW);

		assertThat(names(windows)).containsExactlyInAnyOrder("research", "apps");
		assertThat(windows).extracting((window) -> window.window().key())
			.containsExactlyInAnyOrder("group:group-research:research:M2026-11", "app:app-1:apps:d2026-11-25");
	}

	@Test
	void windowsWhenPolicyHasSeveralPeriodsThenOneWindowEachWithItsReset() {
		QuotaPolicies policies = new QuotaPolicies(List.of(policy("default", Scope.USER, null, null, 1L, 2L, 3L)));

		List<AppliedWindow> windows = policies.windows(ALICE, null, null, NOW);

		assertThat(windows).extracting((window) -> window.window().resetsAt())
			.containsExactly(Instant.parse("2026-11-26T00:00:00Z"), Instant.parse("2026-11-26T00:00:00Z"),
					Instant.parse("2026-12-01T00:00:00Z"));
		assertThat(windows).extracting((window) -> window.window().limit()).containsExactly(1L, 2L, 3L);
	}

	@Test
	void windowsWhenCallerHasNoAppIdThenAppPoliciesDoNotApply() {
		CallerIdentity noApp = new CallerIdentity("oid", "sub", null, null, null, List.of(), List.of());
		QuotaPolicies policies = new QuotaPolicies(List.of(policy("apps", Scope.APP, null, null, 10L, null, null)));

		assertThat(policies.windows(noApp, "gpt-4o", null, NOW)).isEmpty();
	}

	@Test
	void windowsWhenCostLimitsThenCostWindowsInMicroUnitsBesideTheTokenWindows() {
		QuotaPolicies policies = new QuotaPolicies(List.of(new Policy("spend", Scope.USER, null, null, 100L, null, null,
				new BigDecimal("12.5"), new BigDecimal("0.0000015"))));

		List<AppliedWindow> windows = policies.windows(ALICE, "gpt-4o", null, NOW);

		assertThat(windows).extracting((window) -> window.window().unit())
			.containsExactly(QuotaUnit.TOKENS, QuotaUnit.COST, QuotaUnit.COST);
		assertThat(windows).extracting((window) -> window.window().key())
			.containsExactly("user:oid-alice:spend:m" + NOW.getEpochSecond() / 60, "user:oid-alice:spend:$d2026-11-25",
					"user:oid-alice:spend:$M2026-11");
		// A budget finer than a micro-unit rounds up to one.
		assertThat(windows).extracting((window) -> window.window().limit()).containsExactly(100L, 12_500_000L, 2L);
		assertThat(policies.costPolicies()).extracting(Policy::name).containsExactly("spend");
	}

	@Test
	void windowsWhenClassPolicyThenAppliesOnlyToCallsOfThatClassAndCountsThemTogether() {
		QuotaPolicies policies = new QuotaPolicies(List.of(
				new Policy("batch-spend", Scope.CLASS, "batch", null, null, null, null, null, new BigDecimal("100")),
				new Policy("interactive", Scope.CLASS, "interactive", null, 1_000L, null, null, null, null)));
		CallerIdentity bob = new CallerIdentity("oid-bob", "sub", "tid", "app-2", "Bob", List.of(), List.of());

		List<AppliedWindow> alice = policies.windows(ALICE, "gpt-4o", "batch", NOW);
		List<AppliedWindow> bobs = policies.windows(bob, "gpt-4o", "batch", NOW);

		assertThat(names(alice)).containsExactly("batch-spend");
		assertThat(alice).extracting((window) -> window.window().key())
			.containsExactly("class:batch:batch-spend:$M2026-11");
		assertThat(bobs).extracting((window) -> window.window().key())
			.isEqualTo(alice.stream().map((window) -> window.window().key()).toList());
		assertThat(policies.windows(ALICE, "gpt-4o", null, NOW)).isEmpty();
		assertThat(policies.allWindows(ALICE, NOW)).isEmpty();
	}

	private static List<String> names(List<AppliedWindow> windows) {
		return windows.stream().map((window) -> window.policy().name()).distinct().toList();
	}

	private static Policy policy(String name, Scope scope, String subject, String deployment, Long perMinute,
			Long perDay, Long perMonth) {
		return new Policy(name, scope, subject, deployment, perMinute, perDay, perMonth, null, null);
	}

}
