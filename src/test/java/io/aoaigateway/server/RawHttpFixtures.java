package io.aoaigateway.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * Raw HTTP/1.1 over a plain socket, for requests no well-behaved client would send
 * (dripped heads, ambiguous framing, stalled bodies), and a deadline-bound wait for a
 * condition instead of sleeping.
 */
final class RawHttpFixtures {

	private static final Duration POLL = Duration.ofMillis(50);

	private RawHttpFixtures() {
	}

	/**
	 * Waits until the condition holds.
	 * @param deadline longest wait
	 * @param condition what to wait for
	 * @return whether it held before the deadline
	 */
	static boolean await(Duration deadline, BooleanSupplier condition) {
		Boolean held = Mono.fromCallable(condition::getAsBoolean)
			.filter(Boolean::booleanValue)
			.repeatWhenEmpty((attempts) -> attempts.delayElements(POLL))
			.timeout(deadline, Mono.fromCallable(condition::getAsBoolean))
			.block();
		return Boolean.TRUE.equals(held);
	}

	/** One client connection. */
	static final class Connection implements AutoCloseable {

		private final Socket socket;

		private final InputStream in;

		private final OutputStream out;

		private final ByteArrayOutputStream received = new ByteArrayOutputStream();

		private boolean closedByServer;

		Connection(int port) throws IOException {
			this.socket = new Socket("localhost", port);
			this.socket.setTcpNoDelay(true);
			this.in = this.socket.getInputStream();
			this.out = this.socket.getOutputStream();
		}

		Connection send(String text) throws IOException {
			return send(text.getBytes(StandardCharsets.ISO_8859_1));
		}

		Connection send(byte[] bytes) throws IOException {
			this.out.write(bytes);
			this.out.flush();
			return this;
		}

		/**
		 * Reads whatever the server sends until it closes the connection or the wait
		 * ends.
		 * @param wait longest wait
		 * @return whether the server closed the connection
		 */
		boolean awaitClose(Duration wait) throws IOException {
			long end = System.nanoTime() + wait.toNanos();
			byte[] chunk = new byte[8192];
			while (!this.closedByServer) {
				long left = Math.max(1, (end - System.nanoTime()) / 1_000_000);
				if (System.nanoTime() >= end) {
					return false;
				}
				this.socket.setSoTimeout((int) Math.min(left, Integer.MAX_VALUE));
				try {
					int n = this.in.read(chunk);
					if (n < 0) {
						this.closedByServer = true;
					}
					else {
						this.received.write(chunk, 0, n);
					}
				}
				catch (SocketTimeoutException ex) {
					return false;
				}
				catch (SocketException ex) {
					// Reset by the server: closed too.
					this.closedByServer = true;
				}
			}
			return true;
		}

		/**
		 * Reads until one whole response has arrived or the wait ends.
		 * @param wait longest wait
		 * @return the response, or null when none arrived whole in time
		 */
		@Nullable Response awaitResponse(Duration wait) throws IOException {
			long end = System.nanoTime() + wait.toNanos();
			byte[] chunk = new byte[8192];
			while (true) {
				Response response = Response.parse(this.received.toByteArray());
				if (response != null || this.closedByServer || System.nanoTime() >= end) {
					return response;
				}
				this.socket.setSoTimeout((int) Math.max(1, (end - System.nanoTime()) / 1_000_000));
				try {
					int n = this.in.read(chunk);
					if (n < 0) {
						this.closedByServer = true;
					}
					else {
						this.received.write(chunk, 0, n);
					}
				}
				catch (SocketTimeoutException ex) {
					return Response.parse(this.received.toByteArray());
				}
				catch (SocketException ex) {
					this.closedByServer = true;
				}
			}
		}

		/**
		 * @return everything the server sent so far
		 */
		String received() {
			return this.received.toString(StandardCharsets.ISO_8859_1);
		}

		@Override
		public void close() throws IOException {
			this.socket.close();
		}

	}

	/**
	 * A response as read off the wire.
	 *
	 * @param status its status code
	 * @param headers its headers, names in lower case
	 * @param body its body (by Content-Length)
	 */
	record Response(int status, Map<String, String> headers, String body) {

		static @Nullable Response parse(byte[] bytes) {
			String text = new String(bytes, StandardCharsets.ISO_8859_1);
			int headEnd = text.indexOf("\r\n\r\n");
			if (headEnd < 0) {
				return null;
			}
			String[] lines = text.substring(0, headEnd).split("\r\n");
			int status = Integer.parseInt(lines[0].split(" ")[1]);
			Map<String, String> headers = new LinkedHashMap<>();
			for (int i = 1; i < lines.length; i++) {
				int colon = lines[i].indexOf(':');
				headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
						lines[i].substring(colon + 1).trim());
			}
			int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
			if (text.length() < headEnd + 4 + length) {
				return null;
			}
			String body = new String(bytes, headEnd + 4, length, StandardCharsets.UTF_8);
			return new Response(status, headers, body);
		}

	}

}
