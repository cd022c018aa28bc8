package io.aoaigateway.affinity;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.stream.IntStream;

import io.aoaigateway.routing.Backend;
import org.junit.jupiter.api.Test;

import static io.aoaigateway.affinity.AffinityFixtures.SIM_A;
import static io.aoaigateway.affinity.AffinityFixtures.SIM_B;
import static io.aoaigateway.affinity.AffinityFixtures.SIM_C;
import static io.aoaigateway.affinity.AffinityFixtures.THREE;
import static io.aoaigateway.affinity.AffinityFixtures.backend;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Callers' home orders: stable, the same on every replica, spread evenly, and moved only
 * for the callers of a backend added or removed.
 */
class HomeOrderTests {

	private static final List<String> ENTRA_LIKE = entraLikeIds(1_000);

	private static final List<String> SEQUENTIAL = IntStream.range(0, 1_000).mapToObj((n) -> "user-" + n).toList();

	@Test
	void ofWhenAskedAgainOrByAnotherInstanceThenTheSameOrder() {
		HomeOrder homes = new HomeOrder(THREE);
		HomeOrder otherReplica = new HomeOrder(List.of(SIM_A, SIM_B, SIM_C));

		for (String caller : ENTRA_LIKE) {
			List<Backend> order = homes.of(caller);

			assertThat(order).containsExactlyInAnyOrderElementsOf(THREE);
			assertThat(homes.of(caller)).isEqualTo(order);
			assertThat(otherReplica.of(caller)).isEqualTo(order);
		}
	}

	@Test
	void ofWhenBackendsConfiguredInAnotherOrderThenTheSameOrder() {
		HomeOrder homes = new HomeOrder(THREE);
		HomeOrder reversed = new HomeOrder(List.of(SIM_C, SIM_B, SIM_A));

		for (String caller : ENTRA_LIKE) {
			assertThat(reversed.of(caller)).isEqualTo(homes.of(caller));
		}
	}

	// Figures computed apart from this code (a few lines of Python over the documented
	// FNV-1a and fmix64): what any replica, on any JVM, must compute.
	@Test
	void ofWhenKnownCallersThenTheOrdersTheDocumentedHashGives() {
		HomeOrder homes = new HomeOrder(THREE);

		assertThat(homes.of("alice")).containsExactly(SIM_C, SIM_A, SIM_B);
		assertThat(homes.of("bob")).containsExactly(SIM_C, SIM_B, SIM_A);
		assertThat(homes.of("00000000-0000-0000-0000-000000000001")).containsExactly(SIM_A, SIM_C, SIM_B);
		assertThat(homes.of("9f0c3a52-7d41-4b8e-a6f2-1c5e8d7b3a90")).containsExactly(SIM_A, SIM_B, SIM_C);
		assertThat(homes.of("Zoë")).containsExactly(SIM_B, SIM_A, SIM_C);
		assertThat(HomeOrder.weight("alice", "sim-a")).isEqualTo(0x8578be2069b635f1L);
		assertThat(HomeOrder.weight("Zoë", "sim-b")).isEqualTo(0xed0bd740e44e8789L);
	}

	@Test
	void fnv1aWhenPublishedTestVectorsThenTheirHashes() {
		assertThat(HomeOrder.fnv1a(bytes(""))).isEqualTo(0xcbf29ce484222325L);
		assertThat(HomeOrder.fnv1a(bytes("a"))).isEqualTo(0xaf63dc4c8601ec8cL);
		assertThat(HomeOrder.fnv1a(bytes("foobar"))).isEqualTo(0x85944171f73967e8L);
	}

	@Test
	void ofWhenAThousandEntraLikeCallersThenEachBackendIsHomeToAFairShare() {
		assertFairShares(homeCounts(new HomeOrder(THREE), ENTRA_LIKE));
	}

	@Test
	void ofWhenAThousandSequentialCallerIdsThenEachBackendIsHomeToAFairShare() {
		assertFairShares(homeCounts(new HomeOrder(THREE), SEQUENTIAL));
	}

	@Test
	void ofWhenABackendIsRemovedThenEveryCallerKeepsTheOrderOfTheOthers() {
		HomeOrder all = new HomeOrder(THREE);
		HomeOrder withoutB = new HomeOrder(List.of(SIM_A, SIM_C));
		int moved = 0;

		for (String caller : concat(ENTRA_LIKE, SEQUENTIAL)) {
			List<Backend> before = all.of(caller);
			List<Backend> after = withoutB.of(caller);

			assertThat(after).isEqualTo(before.stream().filter((backend) -> backend != SIM_B).toList());
			if (!after.get(0).equals(before.get(0))) {
				assertThat(before.get(0)).isEqualTo(SIM_B);
				moved++;
			}
		}
		assertThat(moved).isPositive();
	}

	@Test
	void ofWhenABackendIsAddedThenOnlyCallersWhoseHomeItBecomesMove() {
		Backend simD = backend("sim-d", "http://127.0.0.1:4");
		HomeOrder before = new HomeOrder(THREE);
		HomeOrder after = new HomeOrder(List.of(SIM_A, SIM_B, SIM_C, simD));

		for (String caller : concat(ENTRA_LIKE, SEQUENTIAL)) {
			List<Backend> added = after.of(caller);

			assertThat(added.stream().filter((backend) -> backend != simD).toList()).isEqualTo(before.of(caller));
		}
	}

	@Test
	void ofWhenOneBackendThenThatBackend() {
		HomeOrder homes = new HomeOrder(List.of(SIM_B));

		assertThat(homes.of("alice")).containsExactly(SIM_B);
	}

	private static Map<Backend, Integer> homeCounts(HomeOrder homes, List<String> callers) {
		Map<Backend, Integer> counts = new HashMap<>();
		for (String caller : callers) {
			counts.merge(homes.of(caller).get(0), 1, Integer::sum);
		}
		return counts;
	}

	// A third each would be 333; 20 % to 47 % leaves room for chance, not for a skew.
	private static void assertFairShares(Map<Backend, Integer> counts) {
		assertThat(counts).containsOnlyKeys(THREE);
		assertThat(counts.values()).allSatisfy((count) -> assertThat(count).isBetween(200, 470));
	}

	private static List<String> entraLikeIds(int count) {
		Random random = new Random(12);
		List<String> ids = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			ids.add(new UUID(random.nextLong(), random.nextLong()).toString());
		}
		return ids;
	}

	private static List<String> concat(List<String> first, List<String> second) {
		List<String> all = new ArrayList<>(first);
		all.addAll(second);
		return all;
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
