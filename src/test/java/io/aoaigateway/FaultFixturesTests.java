package io.aoaigateway;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The fault fixtures do what the fault tests rely on: a Redis of the test's own that can
 * be paused, resumed and restarted, and a proxy that makes it look far away.
 */
class FaultFixturesTests {

	@Test
	void redisWhenPausedThenAnswersNothingUntilResumed() {
		try (RedisProcess redis = RedisProcess.start()) {
			LettuceConnectionFactory factory = RedisFixtures.connect(redis.url());
			try {
				ReactiveStringRedisTemplate template = new ReactiveStringRedisTemplate(factory);
				template.opsForValue().set("k", "v").block(Duration.ofSeconds(5));

				redis.pause();

				assertThatThrownBy(() -> template.opsForValue().get("k").block(Duration.ofMillis(300)))
					.isInstanceOf(IllegalStateException.class)
					.hasMessageContaining("Timeout");
				redis.resume();
				assertThat(template.opsForValue().get("k").block(Duration.ofSeconds(5))).isEqualTo("v");
			}
			finally {
				factory.destroy();
			}
		}
	}

	@Test
	void redisWhenRestartedThenKeepsItsPortAndLosesItsKeys() {
		try (RedisProcess redis = RedisProcess.start()) {
			redis.command("SET k v");

			redis.restart();

			assertThat(redis.command("DBSIZE")).isEqualTo(":0");
		}
	}

	@Test
	void proxyWhenDelayingThenEveryRoundTripTakesTwiceTheDelay() throws Exception {
		try (RedisProcess redis = RedisProcess.start();
				TcpDelayProxy proxy = TcpDelayProxy.start(redis.port(), Duration.ofMillis(40))) {
			LettuceConnectionFactory factory = RedisFixtures.connect("redis://127.0.0.1:" + proxy.port());
			try {
				ReactiveStringRedisTemplate template = new ReactiveStringRedisTemplate(factory);
				template.opsForValue().set("k", "v").block(Duration.ofSeconds(5));

				long start = System.nanoTime();
				String value = template.opsForValue().get("k").block(Duration.ofSeconds(5));
				long tookMillis = (System.nanoTime() - start) / 1_000_000;

				assertThat(value).isEqualTo("v");
				assertThat(tookMillis).isGreaterThanOrEqualTo(80);
				proxy.blackhole(true);
				assertThatThrownBy(() -> template.opsForValue().get("k").block(Duration.ofMillis(300)))
					.isInstanceOf(IllegalStateException.class);
				proxy.blackhole(false);
				assertThat(template.opsForValue().get("k").block(Duration.ofSeconds(5))).isEqualTo("v");
			}
			finally {
				factory.destroy();
			}
		}
	}

}
