package io.aoaigateway;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Assumptions;

/**
 * A Redis server of a test's own, started from the {@code redis-server} binary, that the
 * test may pause, resume, restart and stop without touching the shared Redis other tests
 * use. Tests that need one skip (with the reason) where the binary is missing.
 */
public final class RedisProcess implements AutoCloseable {

	private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

	private final int port;

	private Process process;

	private RedisProcess(int port) {
		this.port = port;
		this.process = launch(port);
	}

	/**
	 * Starts a Redis on a free port and waits until it answers PING.
	 * @return the running server
	 */
	public static RedisProcess start() {
		Assumptions.assumeTrue(binary() != null, "redis-server is not installed (apt-get install redis-server)");
		return new RedisProcess(freePort());
	}

	/**
	 * @return the port it listens on (and keeps across restarts)
	 */
	public int port() {
		return this.port;
	}

	/**
	 * @return {@code redis://127.0.0.1:<port>}
	 */
	public String url() {
		return "redis://127.0.0.1:" + this.port;
	}

	/**
	 * Freezes the server (SIGSTOP): connections stay open, nothing is answered, as with a
	 * Redis stuck in a long command or a paused VM.
	 */
	public void pause() {
		signal("STOP");
	}

	/**
	 * Lets a paused server run again (SIGCONT); it then answers what queued up.
	 */
	public void resume() {
		signal("CONT");
	}

	/**
	 * Kills the server and starts a new, empty one on the same port: every connection
	 * drops and every key is gone, as after a failover to a replica with no data.
	 */
	public void restart() {
		kill();
		this.process = launch(this.port);
	}

	/**
	 * Kills the server; {@link #restart()} brings it back.
	 */
	public void kill() {
		if (this.process.isAlive()) {
			resume();
			this.process.destroyForcibly();
			try {
				this.process.waitFor(5, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

	/**
	 * Sends one inline command and returns its reply's first line, e.g. {@code DBSIZE}.
	 * @param command the command and its arguments
	 * @return the first line of the reply
	 */
	public String command(String command) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", this.port), 1000);
			socket.setSoTimeout(2000);
			OutputStream out = socket.getOutputStream();
			out.write((command + "\r\n").getBytes(StandardCharsets.UTF_8));
			out.flush();
			InputStream in = socket.getInputStream();
			StringBuilder line = new StringBuilder();
			int next;
			while ((next = in.read()) != -1 && next != '\n') {
				if (next != '\r') {
					line.append((char) next);
				}
			}
			return line.toString();
		}
		catch (IOException ex) {
			throw new IllegalStateException("Redis on port " + this.port + " did not answer " + command, ex);
		}
	}

	@Override
	public void close() {
		kill();
	}

	private void signal(String signal) {
		try {
			Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(this.process.pid())).start();
			if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
				throw new IllegalStateException("kill -" + signal + " failed for Redis " + this.process.pid());
			}
		}
		catch (IOException ex) {
			throw new IllegalStateException("Cannot signal Redis", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while signalling Redis", ex);
		}
	}

	private static Process launch(int port) {
		try {
			Process process = new ProcessBuilder(List.of(binary(), "--port", Integer.toString(port), "--bind",
					"127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile", ""))
				.redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.DISCARD)
				.start();
			long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
			while (System.nanoTime() < deadline) {
				if (answers(port)) {
					return process;
				}
				if (!process.isAlive()) {
					throw new IllegalStateException("redis-server exited with " + process.exitValue());
				}
				LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
			}
			process.destroyForcibly();
			throw new IllegalStateException("redis-server did not answer on port " + port + " within " + START_TIMEOUT);
		}
		catch (IOException ex) {
			throw new IllegalStateException("Cannot start redis-server", ex);
		}
	}

	private static boolean answers(int port) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
			socket.setSoTimeout(500);
			socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.UTF_8));
			byte[] reply = new byte[5];
			return socket.getInputStream().readNBytes(reply, 0, 5) == 5
					&& "+PONG".equals(new String(reply, StandardCharsets.US_ASCII));
		}
		catch (IOException ex) {
			return false;
		}
	}

	private static String binary() {
		for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
			File candidate = new File(dir, "redis-server");
			if (candidate.canExecute()) {
				return candidate.getAbsolutePath();
			}
		}
		File sbin = new File("/usr/bin/redis-server");
		return sbin.canExecute() ? sbin.getAbsolutePath() : null;
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new IllegalStateException("No free port", ex);
		}
	}

}
