package io.aoaigateway.state;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import io.aoaigateway.RedisFixtures;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.RedisConnectionFailureException;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The stores' template never opens the connection itself: before the connector has opened
 * it, calls are refused at once without asking Lettuce; after, they go through.
 */
class ConnectedOnlyConnectionFactoryTests {

	@Test
	void getReactiveConnectionWhenNotConnectedThenRefusedWithoutTryingToConnect() throws IOException {
		int port;
		try (ServerSocket socket = new ServerSocket(0)) {
			port = socket.getLocalPort();
		}
		LettuceConnectionFactory factory = RedisFixtures.connect("redis://127.0.0.1:" + port);
		try {
			AtomicBoolean connected = new AtomicBoolean();
			ReactiveStringRedisTemplate template = new ReactiveStringRedisTemplate(
					new ConnectedOnlyConnectionFactory(factory, connected::get));

			assertThatExceptionOfType(StateStoreUnavailableException.class)
				.isThrownBy(() -> template.opsForValue().get("k").block(Duration.ofSeconds(5)))
				.withMessage("Redis is not connected yet");
			connected.set(true);
			// Now Lettuce is asked, and fails to connect to the closed port.
			assertThatExceptionOfType(RedisConnectionFailureException.class)
				.isThrownBy(() -> template.opsForValue().get("k").block(Duration.ofSeconds(5)));
		}
		finally {
			factory.destroy();
		}
	}

}
