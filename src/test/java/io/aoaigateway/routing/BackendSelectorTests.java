package io.aoaigateway.routing;

import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class BackendSelectorTests {

	private final BackendSelector selector = new BackendSelector(new SplittableRandom(42));

	@Test
	void selectWhenPrioritiesDifferThenLowestValueWins() {
		List<BackendDeployment> candidates = List.of(candidate("spill", 1, 1), candidate("ptu", 0, 1));

		for (int i = 0; i < 100; i++) {
			assertThat(this.selector.select(candidates, Set.of())).map((c) -> c.backend().name()).contains("ptu");
		}
	}

	@Test
	void selectWhenBestPriorityExcludedThenNextPriority() {
		List<BackendDeployment> candidates = List.of(candidate("spill", 1, 1), candidate("ptu", 0, 1));

		assertThat(this.selector.select(candidates, Set.of("ptu"))).map((c) -> c.backend().name()).contains("spill");
	}

	@Test
	void selectWhenAllExcludedThenEmpty() {
		List<BackendDeployment> candidates = List.of(candidate("a", 0, 1), candidate("b", 1, 1));

		assertThat(this.selector.select(candidates, Set.of("a", "b"))).isEmpty();
	}

	@Test
	void selectWhenSamePriorityThenTrafficFollowsWeights() {
		List<BackendDeployment> candidates = List.of(candidate("small", 0, 1), candidate("large", 0, 3),
				candidate("other-priority", 5, 100));
		Map<String, Integer> counts = new HashMap<>();

		for (int i = 0; i < 40_000; i++) {
			this.selector.select(candidates, Set.of())
				.ifPresent((c) -> counts.merge(c.backend().name(), 1, Integer::sum));
		}

		assertThat(counts).doesNotContainKey("other-priority");
		assertThat(counts.get("large") / 40_000.0).isCloseTo(0.75, within(0.02));
		assertThat(counts.get("small") / 40_000.0).isCloseTo(0.25, within(0.02));
	}

	private static BackendDeployment candidate(String name, int priority, int weight) {
		return new BackendDeployment(new Backend(name, URI.create("https://" + name + ".openai.azure.com"),
				new ApiKey("k"), priority, weight), "gpt-4o");
	}

}
