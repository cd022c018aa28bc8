package io.aoaigateway;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;

import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.ScanOptions;

/**
 * Connections to a test Redis, built by hand, for tests of the Redis stores that need no
 * application context.
 */
public final class RedisFixtures {

	/**
	 * The local Redis: {@code REDIS_URL} as CI exports it, else the default port on this
	 * host.
	 */
	public static final String LOCAL_URL = System.getenv().getOrDefault("REDIS_URL", "redis://127.0.0.1:6379");

	private RedisFixtures() {
	}

	/**
	 * Opens a connection factory; the caller destroys it.
	 * @param url {@code redis://[:password@]host:port[/database]}
	 * @return the started factory (it connects on first use)
	 */
	public static LettuceConnectionFactory connect(String url) {
		URI uri = URI.create(url);
		RedisStandaloneConfiguration config = new RedisStandaloneConfiguration(uri.getHost(),
				(uri.getPort() != -1) ? uri.getPort() : 6379);
		if (uri.getUserInfo() != null) {
			String[] user = uri.getUserInfo().split(":", 2);
			if (user.length == 2) {
				if (!user[0].isEmpty()) {
					config.setUsername(user[0]);
				}
				config.setPassword(user[1]);
			}
			else {
				config.setPassword(user[0]);
			}
		}
		if (uri.getPath() != null && uri.getPath().length() > 1) {
			config.setDatabase(Integer.parseInt(uri.getPath().substring(1)));
		}
		// A short command timeout lets the threads of the "Redis never answers" tests go
		// soon after those tests end.
		LettuceClientConfiguration client = LettuceClientConfiguration.builder()
			.commandTimeout(Duration.ofSeconds(3))
			.build();
		LettuceConnectionFactory factory = new LettuceConnectionFactory(config, client);
		factory.afterPropertiesSet();
		factory.start();
		return factory;
	}

	/**
	 * Deletes every key under a prefix, so that tests leave the shared Redis as they
	 * found it.
	 */
	public static void deleteKeys(ReactiveStringRedisTemplate redis, String prefix) {
		redis.delete(redis.scan(ScanOptions.scanOptions().match(prefix + "*").count(1_000).build()))
			.block(Duration.ofSeconds(10));
	}

	/**
	 * Asserts that every operation of a store fails, within its timeout, when Redis
	 * refuses the connection.
	 * @param operations the store's operations, given a template on a closed port and a
	 * timeout of one second
	 * @throws IOException when no free port can be found
	 */
	public static void assertFailWhenRedisIsDown(
			BiFunction<ReactiveStringRedisTemplate, Duration, List<Mono<?>>> operations) throws IOException {
		int port;
		try (ServerSocket socket = new ServerSocket(0)) {
			port = socket.getLocalPort();
		}
		LettuceConnectionFactory factory = connect("redis://127.0.0.1:" + port);
		try {
			for (Mono<?> operation : operations.apply(new ReactiveStringRedisTemplate(factory),
					Duration.ofSeconds(1))) {
				StepVerifier.create(operation).expectError().verify(Duration.ofSeconds(5));
			}
		}
		finally {
			factory.destroy();
		}
	}

	/**
	 * Asserts that every operation of a store times out when Redis accepts the connection
	 * but never answers (a hung Redis).
	 * @param operations the store's operations, given a template on a silent port and a
	 * timeout of half a second
	 * @throws IOException when no port can be opened
	 */
	public static void assertTimeOutWhenRedisHangs(
			BiFunction<ReactiveStringRedisTemplate, Duration, List<Mono<?>>> operations) throws IOException {
		// The kernel completes the handshake, nothing ever answers.
		try (ServerSocket silent = new ServerSocket(0)) {
			LettuceConnectionFactory factory = connect("redis://127.0.0.1:" + silent.getLocalPort());
			try {
				for (Mono<?> operation : operations.apply(new ReactiveStringRedisTemplate(factory),
						Duration.ofMillis(500))) {
					StepVerifier.create(operation).expectError(TimeoutException.class).verify(Duration.ofSeconds(5));
				}
			}
			finally {
				factory.destroy();
			}
		}
	}

	/**
	 * The connections one test opens to Redis (one per replica it plays), and the cleanup
	 * after it: its keys deleted, every connection closed.
	 */
	public static final class Connections {

		private final String url;

		private final List<LettuceConnectionFactory> factories = new ArrayList<>();

		private final ReactiveStringRedisTemplate first;

		/**
		 * Opens a first connection.
		 * @param url the Redis to use
		 */
		public Connections(String url) {
			this.url = url;
			this.first = open();
		}

		/**
		 * @return the first connection, e.g. to inspect keys
		 */
		public ReactiveStringRedisTemplate template() {
			return this.first;
		}

		/**
		 * @return a new connection of its own, as another replica would have
		 */
		public ReactiveStringRedisTemplate open() {
			LettuceConnectionFactory factory = connect(this.url);
			this.factories.add(factory);
			return new ReactiveStringRedisTemplate(factory);
		}

		/**
		 * Deletes the test's keys and closes every connection.
		 * @param prefix the prefix of the test's keys
		 */
		public void close(String prefix) {
			try {
				deleteKeys(this.first, prefix);
			}
			finally {
				this.factories.forEach(LettuceConnectionFactory::destroy);
			}
		}

	}

}
