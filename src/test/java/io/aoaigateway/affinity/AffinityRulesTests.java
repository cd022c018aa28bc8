package io.aoaigateway.affinity;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.aoaigateway.affinity.AffinityDecision.Conflict;
import io.aoaigateway.affinity.AffinityDecision.NotFound;
import io.aoaigateway.affinity.AffinityDecision.NotFound.Reason;
import io.aoaigateway.affinity.AffinityDecision.Route;
import io.aoaigateway.affinity.AffinityProperties.Sharing;
import io.aoaigateway.auth.CallerIdentity;
import io.aoaigateway.routing.Backend;
import io.aoaigateway.routing.Placement;
import org.junit.jupiter.api.Test;

import static io.aoaigateway.affinity.AffinityFixtures.SIM_A;
import static io.aoaigateway.affinity.AffinityFixtures.SIM_B;
import static io.aoaigateway.affinity.AffinityFixtures.THREE;
import static io.aoaigateway.affinity.AffinityFixtures.caller;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where calls on stateful objects go once their owners are known: each branch of the
 * rules, without an exchange.
 */
class AffinityRulesTests {

	private static final CallerIdentity ALICE = caller("alice", "app-1");

	private static final CallerIdentity BOB = caller("bob", "app-1");

	private static final HomeOrder HOMES = new HomeOrder(THREE);

	private final AffinityRules rules = rules(Sharing.CALLER);

	@Test
	void decideWhenObjectIsTheCallersThenPinnedToItsBackendLearningNothing() {
		Map<String, ObjectOwner> owners = Map.of("thread_1", owner("sim-b", ALICE));

		AffinityDecision decision = this.rules.decide(ALICE, "thread_1", Set.of(), owners, false);

		assertThat(decision).isEqualTo(new Route(new Placement(List.of(SIM_B), true), false));
	}

	@Test
	void decideWhenObjectHasNoKnownOwnerThenNotFoundNowhere() {
		AffinityDecision decision = this.rules.decide(ALICE, "thread_1", Set.of(), Map.of(), false);

		assertThat(decision).isEqualTo(new NotFound("thread_1", Reason.NOWHERE));
	}

	@Test
	void decideWhenObjectIsAnotherCallersThenNotFoundDenied() {
		Map<String, ObjectOwner> owners = Map.of("thread_1", owner("sim-b", ALICE));

		AffinityDecision decision = this.rules.decide(BOB, "thread_1", Set.of(), owners, false);

		assertThat(decision).isEqualTo(new NotFound("thread_1", Reason.DENIED));
	}

	@Test
	void decideWhenObjectIsOfTheSameAppAndSharingAppThenPinned() {
		Map<String, ObjectOwner> owners = Map.of("thread_1", owner("sim-b", ALICE));

		AffinityDecision decision = rules(Sharing.APP).decide(BOB, "thread_1", Set.of(), owners, false);

		assertThat(decision).isEqualTo(new Route(new Placement(List.of(SIM_B), true), false));
	}

	@Test
	void decideWhenObjectsBackendNoLongerServesStatefulApisThenNotFound() {
		Map<String, ObjectOwner> owners = Map.of("thread_1", owner("sim-gone", ALICE));

		AffinityDecision decision = this.rules.decide(ALICE, "thread_1", Set.of(), owners, false);

		assertThat(decision).isEqualTo(new NotFound("thread_1", Reason.BACKEND_GONE));
	}

	@Test
	void decideWhenObjectRefersToAnObjectTheCallerMayNotReachThenNotFoundForTheReference() {
		Map<String, ObjectOwner> owners = Map.of("thread_1", owner("sim-b", BOB), "asst_1", owner("sim-b", ALICE));

		AffinityDecision decision = this.rules.decide(BOB, "thread_1", Set.of("asst_1"), owners, false);

		assertThat(decision).isEqualTo(new NotFound("asst_1", Reason.REFERENCE_DENIED));
	}

	@Test
	void decideWhenObjectRefersToAnObjectOnAnotherBackendThenConflictNamingBoth() {
		Map<String, ObjectOwner> owners = Map.of("thread_1", owner("sim-b", ALICE), "asst_1", owner("sim-a", ALICE));

		AffinityDecision decision = this.rules.decide(ALICE, "thread_1", Set.of("asst_1"), owners, false);

		assertThat(decision).isEqualTo(new Conflict("thread_1", "asst_1"));
	}

	@Test
	void decideWhenObjectRefersToKnownObjectsOnItsBackendAndUnknownOnesThenPinned() {
		Map<String, ObjectOwner> owners = Map.of("thread_1", owner("sim-b", ALICE), "asst_1", owner("sim-b", ALICE));

		AffinityDecision decision = this.rules.decide(ALICE, "thread_1", ordered("asst_1", "file_unknown", "thread_1"),
				owners, false);

		assertThat(decision).isEqualTo(new Route(new Placement(List.of(SIM_B), true), false));
	}

	@Test
	void decideWhenObjectDeniedAndReferencesConflictThenDeniedFirst() {
		Map<String, ObjectOwner> owners = Map.of("thread_1", owner("sim-b", ALICE), "asst_1", owner("sim-a", BOB));

		AffinityDecision decision = this.rules.decide(BOB, "thread_1", Set.of("asst_1"), owners, false);

		assertThat(decision).isEqualTo(new NotFound("thread_1", Reason.DENIED));
	}

	@Test
	void decideWhenCreateWithoutKnownReferencesThenTheCallersHomeOrderUnpinnedLearningOwners() {
		AffinityDecision decision = this.rules.decide(ALICE, null, Set.of("file_unknown"), Map.of(), true);

		assertThat(decision).isEqualTo(new Route(new Placement(HOMES.of("alice"), false), true));
		assertThat(((Route) decision).placement().order()).hasSize(3);
	}

	@Test
	void decideWhenCreateNamesAModelSomeBackendsHostThenOnlyThoseInTheCallersOrder() {
		List<Backend> order = HOMES.of("alice");
		Set<String> lastTwo = Set.of(order.get(1).name(), order.get(2).name(), "not-stateful");

		AffinityDecision decision = this.rules.decide(ALICE, null, Set.of(), Map.of(), true, lastTwo);
		AffinityDecision nowhere = this.rules.decide(ALICE, null, Set.of(), Map.of(), true, Set.of("not-stateful"));
		AffinityDecision list = this.rules.decide(ALICE, null, Set.of(), Map.of(), false, lastTwo);

		assertThat(decision).isEqualTo(new Route(new Placement(order.subList(1, 3), false), true));
		assertThat(nowhere).isEqualTo(new Route(new Placement(order, false), true));
		assertThat(list).isEqualTo(new Route(new Placement(order.subList(0, 1), true), false));
	}

	@Test
	void decideWhenListThenTheHomeBackendOnlyPinnedLearningNothing() {
		AffinityDecision decision = this.rules.decide(ALICE, null, Set.of(), Map.of(), false);

		assertThat(decision).isEqualTo(new Route(new Placement(List.of(HOMES.of("alice").get(0)), true), false));
	}

	@Test
	void decideWhenCreateWithKnownReferencesOnOneBackendThenPinnedThereLearningOwners() {
		String away = awayFromHome("alice");
		Map<String, ObjectOwner> owners = Map.of("asst_1", owner(away, ALICE), "vs_1", owner(away, ALICE));

		AffinityDecision decision = this.rules.decide(ALICE, null, ordered("asst_1", "file_unknown", "vs_1"), owners,
				true);

		assertThat(decision).isEqualTo(new Route(new Placement(List.of(backendNamed(away)), true), true));
	}

	@Test
	void decideWhenListWithKnownReferencesThenPinnedToTheirBackend() {
		String away = awayFromHome("alice");
		Map<String, ObjectOwner> owners = Map.of("asst_1", owner(away, ALICE));

		AffinityDecision decision = this.rules.decide(ALICE, null, Set.of("asst_1"), owners, false);

		assertThat(decision).isEqualTo(new Route(new Placement(List.of(backendNamed(away)), true), false));
	}

	@Test
	void decideWhenCreateRefersToObjectsOnTwoBackendsThenConflictNamingTheLastOnTheFirstAndTheOther() {
		Map<String, ObjectOwner> owners = Map.of("asst_1", owner("sim-a", ALICE), "file_1", owner("sim-a", ALICE),
				"vs_1", owner("sim-b", ALICE));

		AffinityDecision decision = this.rules.decide(ALICE, null, ordered("asst_1", "file_1", "vs_1"), owners, true);

		assertThat(decision).isEqualTo(new Conflict("file_1", "vs_1"));
	}

	@Test
	void decideWhenCreateRefersToAnObjectTheCallerMayNotReachThenNotFoundForIt() {
		Map<String, ObjectOwner> owners = Map.of("asst_1", owner("sim-a", ALICE), "vs_1", owner("sim-a", BOB));

		AffinityDecision decision = this.rules.decide(ALICE, null, ordered("asst_1", "vs_1"), owners, true);

		assertThat(decision).isEqualTo(new NotFound("vs_1", Reason.REFERENCE_DENIED));
	}

	@Test
	void decideWhenCreateRefersToAnotherCallersObjectAndSharingNoneThenPinnedToIt() {
		Map<String, ObjectOwner> owners = Map.of("vs_1", owner("sim-a", caller("mallory", "app-9")));

		AffinityDecision decision = rules(Sharing.NONE).decide(ALICE, null, Set.of("vs_1"), owners, true);

		assertThat(decision).isEqualTo(new Route(new Placement(List.of(SIM_A), true), true));
	}

	@Test
	void decideWhenCreateRefersToAnObjectWhoseBackendIsGoneThenTheHomeOrder() {
		Map<String, ObjectOwner> owners = Map.of("asst_1", owner("sim-gone", ALICE));

		AffinityDecision decision = this.rules.decide(ALICE, null, Set.of("asst_1"), owners, true);

		assertThat(decision).isEqualTo(new Route(new Placement(HOMES.of("alice"), false), true));
	}

	private static AffinityRules rules(Sharing sharing) {
		return new AffinityRules(new ObjectAccess(sharing), HOMES);
	}

	private static ObjectOwner owner(String backend, CallerIdentity caller) {
		return new ObjectOwner(backend, caller.id(), caller.appId());
	}

	private static Set<String> ordered(String... ids) {
		return new LinkedHashSet<>(List.of(ids));
	}

	// A backend that is not the caller's home, so that routing there is the references'
	// doing.
	private static String awayFromHome(String caller) {
		return HOMES.of(caller).get(1).name();
	}

	private static Backend backendNamed(String name) {
		return THREE.stream().filter((backend) -> backend.name().equals(name)).findFirst().orElseThrow();
	}

}
