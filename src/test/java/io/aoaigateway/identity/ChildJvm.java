package io.aoaigateway.identity;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.aoaigateway.Commands;

/**
 * Runs a main class of the test class path in a child JVM with extra environment
 * variables, for code that reads only the process environment: MSAL chooses the managed
 * identity source and its endpoint from {@code System.getenv}, which a test cannot change
 * in its own JVM.
 */
public final class ChildJvm {

	private ChildJvm() {
	}

	/**
	 * Runs a main class to its end.
	 * @param mainClass the class with {@code main}
	 * @param environment added to this JVM's environment
	 * @param timeout the longest run; the child is killed past it
	 * @param args the arguments of {@code main}
	 * @return its exit code and output (standard output and error, interleaved)
	 */
	public static Commands.Run run(Class<?> mainClass, Map<String, String> environment, Duration timeout,
			String... args) {
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		// Under Surefire the class path is its booter jar, whose manifest names every
		// entry of the test class path.
		command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass.getName()));
		command.addAll(List.of(args));
		return Commands.run(environment, timeout, command);
	}

	/**
	 * The {@code name=value} lines a child printed, e.g. its results.
	 * @param run the run
	 * @return the values by name, the first line of each name winning
	 */
	public static Map<String, String> values(Commands.Run run) {
		Map<String, String> values = new LinkedHashMap<>();
		run.output().lines().forEach((line) -> {
			int equals = line.indexOf('=');
			if (equals > 0 && line.substring(0, equals).matches("[a-zA-Z]+")) {
				values.putIfAbsent(line.substring(0, equals), line.substring(equals + 1));
			}
		});
		return values;
	}

}
