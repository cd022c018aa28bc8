package io.aoaigateway.observability;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's {@code prometheus} package ({@code prometheus} and {@code promtool}), found on
 * the {@code PATH} or in {@code /usr/bin}, and bounded runs of its commands.
 */
final class PrometheusTools {

	static final String PROMTOOL = "promtool";

	static final String PROMETHEUS = "prometheus";

	private PrometheusTools() {
	}

	/**
	 * Skips the calling test, with how to install it, where a binary is missing.
	 * @param name {@link #PROMTOOL} or {@link #PROMETHEUS}
	 * @return the binary
	 */
	static Path require(String name) {
		Path binary = find(name);
		Assumptions.assumeTrue(binary != null, name
				+ " not found: install Debian's prometheus package (apt-get install prometheus); .ci/run installs it");
		return binary;
	}

	static @Nullable Path find(String name) {
		List<String> dirs = new ArrayList<>(
				List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
		dirs.add("/usr/bin");
		for (String dir : dirs) {
			if (dir.isEmpty()) {
				continue;
			}
			Path candidate = Path.of(dir, name);
			if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
				return candidate;
			}
		}
		return null;
	}

}
