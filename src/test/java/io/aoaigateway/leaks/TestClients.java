package io.aoaigateway.leaks;

import java.time.Duration;

import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelOption;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The tests' own HTTP clients. They allocate heap buffers outside Netty's leak tracking:
 * a test that leaves a stream early (to see the gateway end the call) leaves the rest of
 * the answer to Reactor Netty's client, which does not release a body nobody reads
 * (spring-framework#31335), and the leak check is for the gateway's buffers (the
 * server's, and those of the gateway's own clients), which stay tracked.
 */
public final class TestClients {

	// A connection idle longer is not reused: its server may have closed
	// since, and another bound its port (servers come and go by the hundred).
	private static final Duration MAX_IDLE = Duration.ofSeconds(1);

	private static final int MAX_CONNECTIONS = 500;

	/** The connector every test client uses. */
	public static final ClientHttpConnector CONNECTOR = new ReactorClientHttpConnector(HttpClient.create(pool("tests"))
		.option(ChannelOption.ALLOCATOR, new UnpooledByteBufAllocator(false, true)));

	private TestClients() {
	}

	/**
	 * @param baseUrl the base URL
	 * @return a client for it
	 */
	public static WebClient create(String baseUrl) {
		return WebClient.builder().baseUrl(baseUrl).clientConnector(CONNECTOR).build();
	}

	/**
	 * A pool as large as Reactor Netty's global one (tests send 50 calls at once), whose
	 * idle connections are not reused after a second.
	 * @param name the pool's name
	 * @return a new pool, disposed by its owner
	 */
	public static ConnectionProvider pool(String name) {
		return ConnectionProvider.builder(name).maxConnections(MAX_CONNECTIONS).maxIdleTime(MAX_IDLE).build();
	}

	/**
	 * @param baseUrl the base URL
	 * @param connections the connections it may keep open, owned by the caller
	 * @return a client for it
	 */
	public static WebClient create(String baseUrl, ConnectionProvider connections) {
		HttpClient client = HttpClient.create(connections)
			.option(ChannelOption.ALLOCATOR, new UnpooledByteBufAllocator(false, true));
		return WebClient.builder().baseUrl(baseUrl).clientConnector(new ReactorClientHttpConnector(client)).build();
	}

	/**
	 * @return a client without a base URL
	 */
	public static WebClient create() {
		return WebClient.builder().clientConnector(CONNECTOR).build();
	}

}
