package io.aoaigateway.observability;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

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

	/**
	 * Runs a command to its end, killing it past the timeout.
	 * @param timeout the longest run
	 * @param command the command and its arguments
	 * @return its exit code and output (standard output and error, interleaved)
	 */
	static Run run(Duration timeout, List<String> command) {
		Path output = null;
		try {
			// A file, not a pipe: a chatty command cannot block on a full pipe buffer.
			output = Files.createTempFile("promtool", ".out");
			Process process = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(output.toFile())
				.start();
			boolean ended = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
			if (!ended) {
				process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
			}
			String text = Files.readString(output, StandardCharsets.UTF_8);
			return new Run(command, ended ? process.exitValue() : -1, ended, text);
		}
		catch (IOException ex) {
			throw new IllegalStateException("Cannot run " + command, ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while running " + command, ex);
		}
		finally {
			if (output != null) {
				output.toFile().delete();
			}
		}
	}

	/**
	 * One ended (or killed) command.
	 *
	 * @param command what ran
	 * @param exitCode its exit code, -1 when killed
	 * @param ended whether it ended within its timeout
	 * @param output what it printed
	 */
	record Run(List<String> command, int exitCode, boolean ended, String output) {

		/**
		 * @return the command and its output, for a failure message
		 */
		String describe() {
			return String.join(" ", this.command) + (this.ended ? " exited with " + this.exitCode : " timed out")
					+ ":\n" + this.output;
		}

	}

}
