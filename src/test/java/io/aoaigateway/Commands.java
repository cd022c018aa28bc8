package io.aoaigateway;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs an outside command (promtool, podman…) to its end, killing it past a timeout.
 */
public final class Commands {

	private Commands() {
	}

	/**
	 * @param environment added to the test JVM's environment
	 * @param timeout the longest run
	 * @param command the command and its arguments
	 * @return its exit code and output (standard output and error, interleaved)
	 */
	public static Run run(Map<String, String> environment, Duration timeout, List<String> command) {
		Path output = null;
		try {
			// A file, not a pipe: no reader thread, and a chatty command cannot block on
			// a
			// full pipe buffer.
			output = Files.createTempFile("command-", ".out");
			ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(output.toFile());
			builder.environment().putAll(environment);
			Process process = builder.start();
			boolean ended = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
			if (!ended) {
				process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
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
	public record Run(List<String> command, int exitCode, boolean ended, String output) {

		/**
		 * @return the command and its output, for a failure message
		 */
		public String describe() {
			return String.join(" ", this.command) + (this.ended ? " exited with " + this.exitCode : " timed out")
					+ ":\n" + this.output;
		}

	}

}
