package io.aoaigateway.image;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.aoaigateway.Commands;
import io.aoaigateway.Commands.Run;

/**
 * A container run by podman for a test, and the podman commands the tests need. Every
 * command is bounded; podman reads its settings from the environment the test JVM was
 * started with ({@code CONTAINERS_CONF}, set by {@code scripts/image-check.sh}).
 */
final class PodmanContainer implements AutoCloseable {

	private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);

	private final String name;

	private PodmanContainer(String name) {
		this.name = name;
	}

	/**
	 * Starts a detached container.
	 * @param purpose a word for the container's name
	 * @param arguments the {@code podman run} options, the image and its arguments
	 * @param environment variables podman passes on to the container ({@code --env NAME}
	 * without a value), kept off the command line because they may hold secrets
	 * @return the running container
	 */
	static PodmanContainer run(String purpose, List<String> arguments, Map<String, String> environment) {
		String name = "aoai-image-check-" + purpose + "-" + UUID.randomUUID().toString().substring(0, 8);
		List<String> command = new ArrayList<>(List.of("run", "--detach", "--name", name));
		command.addAll(arguments);
		Run result = podman(environment, COMMAND_TIMEOUT, command);
		if (result.exitCode() != 0) {
			// Created but not started (a bad option): nothing else would remove it.
			podman(Map.of(), COMMAND_TIMEOUT, List.of("rm", "--force", name));
			throw new AssertionError("podman run failed (" + result.exitCode() + "): " + result.output());
		}
		return new PodmanContainer(name);
	}

	String name() {
		return this.name;
	}

	/**
	 * @return what the container wrote to stdout and stderr so far
	 */
	String logs() {
		return podman(Map.of(), COMMAND_TIMEOUT, List.of("logs", this.name)).output();
	}

	boolean running() {
		return "true".equals(inspect("{{.State.Running}}"));
	}

	int exitCode() {
		return Integer.parseInt(inspect("{{.State.ExitCode}}"));
	}

	/**
	 * Runs a command in the container as its user, with its environment.
	 * @param command the command and its arguments
	 * @return its exit status and output
	 */
	Run exec(String... command) {
		List<String> arguments = new ArrayList<>(List.of("exec", this.name));
		arguments.addAll(List.of(command));
		return podman(Map.of(), COMMAND_TIMEOUT, arguments);
	}

	/**
	 * Sends a signal to the container's main process, as the kubelet does at pod
	 * deletion.
	 * @param signal e.g. {@code TERM}
	 */
	void kill(String signal) {
		Run result = podman(Map.of(), COMMAND_TIMEOUT, List.of("kill", "--signal", signal, this.name));
		if (result.exitCode() != 0) {
			throw new AssertionError("podman kill failed: " + result.output());
		}
	}

	/**
	 * Waits for the container to exit.
	 * @param within the longest wait
	 * @return its exit status
	 * @throws AssertionError when it is still running after the wait
	 */
	int awaitExit(Duration within) {
		Run result = podman(Map.of(), within, List.of("wait", this.name));
		if (result.exitCode() != 0) {
			throw new AssertionError("podman wait failed: " + result.output());
		}
		return Integer.parseInt(result.output().strip());
	}

	private String inspect(String format) {
		Run result = podman(Map.of(), COMMAND_TIMEOUT, List.of("inspect", "--format", format, this.name));
		if (result.exitCode() != 0) {
			throw new AssertionError("podman inspect failed: " + result.output());
		}
		return result.output().strip();
	}

	@Override
	public void close() {
		podman(Map.of(), COMMAND_TIMEOUT, List.of("rm", "--force", "--time", "0", this.name));
	}

	/**
	 * Runs podman and waits for it.
	 * @param environment added to the test JVM's environment
	 * @param timeout the longest wait
	 * @param arguments podman's arguments
	 * @return its exit status and output (stdout and stderr together)
	 * @throws AssertionError when it does not end in time
	 */
	static Run podman(Map<String, String> environment, Duration timeout, List<String> arguments) {
		List<String> command = new ArrayList<>();
		command.add("podman");
		command.addAll(arguments);
		Run run = Commands.run(environment, timeout, command);
		if (!run.ended()) {
			throw new AssertionError("Not done within " + timeout + ": " + String.join(" ", command));
		}
		return run;
	}

}
