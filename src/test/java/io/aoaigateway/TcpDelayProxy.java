package io.aoaigateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP proxy on loopback that delays every chunk by a set time in each direction, so
 * that a service on this machine looks as far away as one in another zone (a round trip
 * costs twice the delay), and that can stop passing bytes altogether (a network partition
 * that leaves connections open). The delay may change while connections are open; bytes
 * keep their order.
 */
public final class TcpDelayProxy implements AutoCloseable {

	private final ServerSocket server;

	private final InetSocketAddress target;

	private final AtomicLong delayNanos = new AtomicLong();

	private volatile boolean blackhole;

	private volatile boolean closed;

	private final List<Socket> sockets = new CopyOnWriteArrayList<>();

	private TcpDelayProxy(int targetPort, Duration oneWayDelay) throws IOException {
		this.server = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
		this.target = new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort);
		this.delayNanos.set(oneWayDelay.toNanos());
		Thread acceptor = new Thread(this::accept, "delay-proxy-accept-" + this.server.getLocalPort());
		acceptor.setDaemon(true);
		acceptor.start();
	}

	/**
	 * Starts a proxy to a port on loopback.
	 * @param targetPort where connections are forwarded
	 * @param oneWayDelay how long each chunk is held in each direction
	 * @return the running proxy
	 * @throws IOException when no port can be opened
	 */
	public static TcpDelayProxy start(int targetPort, Duration oneWayDelay) throws IOException {
		return new TcpDelayProxy(targetPort, oneWayDelay);
	}

	/**
	 * @return the port clients connect to
	 */
	public int port() {
		return this.server.getLocalPort();
	}

	/**
	 * @param oneWayDelay the new delay for chunks read from now on
	 */
	public void delay(Duration oneWayDelay) {
		this.delayNanos.set(oneWayDelay.toNanos());
	}

	/**
	 * @param dropping whether bytes are held back (connections stay open, nothing
	 * arrives) until this is set back to {@code false}
	 */
	public void blackhole(boolean dropping) {
		this.blackhole = dropping;
	}

	/**
	 * Drops every open connection; new ones are still accepted.
	 */
	public void cut() {
		for (Socket socket : this.sockets) {
			closeQuietly(socket);
		}
		this.sockets.clear();
	}

	@Override
	public void close() {
		this.closed = true;
		closeQuietly(this.server);
		cut();
	}

	private void accept() {
		while (!this.closed) {
			try {
				Socket client = this.server.accept();
				Socket upstream = new Socket();
				try {
					upstream.connect(this.target, 2000);
				}
				catch (IOException ex) {
					closeQuietly(client);
					closeQuietly(upstream);
					continue;
				}
				client.setTcpNoDelay(true);
				upstream.setTcpNoDelay(true);
				this.sockets.add(client);
				this.sockets.add(upstream);
				pump(client, upstream, "up");
				pump(upstream, client, "down");
			}
			catch (IOException ex) {
				if (this.closed) {
					return;
				}
			}
		}
	}

	// One reader and one writer per direction: the reader stamps each chunk with the
	// moment it may leave, the writer waits for that moment, so the delay adds latency
	// without limiting throughput.
	private void pump(Socket from, Socket to, String direction) {
		LinkedBlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
		Thread reader = new Thread(() -> {
			byte[] buffer = new byte[16 * 1024];
			long lastDue = 0;
			try (InputStream in = from.getInputStream()) {
				int read;
				while ((read = in.read(buffer)) != -1) {
					long due = Math.max(System.nanoTime() + this.delayNanos.get(), lastDue);
					lastDue = due;
					queue.add(new Chunk(Arrays.copyOf(buffer, read), due));
				}
			}
			catch (IOException ex) {
				// closed
			}
			queue.add(Chunk.END);
		}, "delay-proxy-" + direction + "-read");
		Thread writer = new Thread(() -> {
			try (OutputStream out = to.getOutputStream()) {
				while (true) {
					Chunk chunk = queue.take();
					if (chunk == Chunk.END) {
						break;
					}
					long wait;
					while ((wait = chunk.due() - System.nanoTime()) > 0 || this.blackhole) {
						LockSupport.parkNanos((wait > 0) ? wait : TimeUnit.MILLISECONDS.toNanos(5));
						if (this.closed || to.isClosed()) {
							return;
						}
					}
					out.write(chunk.bytes());
					out.flush();
				}
			}
			catch (SocketException ex) {
				// closed
			}
			catch (IOException ex) {
				// closed
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			finally {
				closeQuietly(from);
				closeQuietly(to);
			}
		}, "delay-proxy-" + direction + "-write");
		reader.setDaemon(true);
		writer.setDaemon(true);
		reader.start();
		writer.start();
	}

	private static void closeQuietly(AutoCloseable closeable) {
		try {
			closeable.close();
		}
		catch (Exception ex) {
			// already closed
		}
	}

	private record Chunk(byte[] bytes, long due) {

		static final Chunk END = new Chunk(new byte[0], 0);

	}

}
