package io.aoaigateway.quota;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;

import io.aoaigateway.RedisFixtures;
import io.aoaigateway.RedisProcess;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

/**
 * A {@link RedisQuotaLedger} on a Redis of the test's own, connected and warm as the
 * state store's start-up leaves it, so that a test can pause that Redis and look at what
 * happens after.
 */
final class OwnRedisLedgerFixtures implements AutoCloseable {

	private final String prefix;

	private final RedisProcess redis;

	private final RedisFixtures.Connections connections;

	private final RedisQuotaLedger ledger;

	/**
	 * Starts a Redis and a ledger on it.
	 * @param prefix the prefix of the test's keys
	 * @param timeout the ledger's per-call budget
	 * @param wait how long the warm-up call may take
	 */
	OwnRedisLedgerFixtures(String prefix, Duration timeout, Duration wait) {
		this.prefix = prefix;
		this.redis = RedisProcess.start();
		this.connections = new RedisFixtures.Connections(this.redis.url());
		this.ledger = new RedisQuotaLedger(this.connections.template(), prefix, timeout);
		RedisQuotaLedger warm = new RedisQuotaLedger(this.connections.template(), prefix, wait);
		warm.reserve("warm-up", Amount.tokens(0), List.of(), Instant.now(), Duration.ofSeconds(1)).block(wait);
		warm.warmUp().block(wait);
	}

	RedisProcess redis() {
		return this.redis;
	}

	RedisQuotaLedger ledger() {
		return this.ledger;
	}

	ReactiveStringRedisTemplate template() {
		return this.connections.template();
	}

	/**
	 * @return how many scripts Redis has run so far (EVALSHA and EVAL calls, from
	 * {@code INFO commandstats}): one per ledger operation, so one per round trip
	 */
	long scriptCalls() {
		Properties stats = this.connections.template()
			.getConnectionFactory()
			.getReactiveConnection()
			.serverCommands()
			.info("commandstats")
			.block(Duration.ofSeconds(10));
		long calls = 0;
		for (String command : List.of("cmdstat_evalsha", "cmdstat_eval")) {
			// e.g.
			// "calls=12,usec=345,usec_per_call=28.75,rejected_calls=0,failed_calls=0"
			for (String field : stats.getProperty(command, "").split(",")) {
				if (field.startsWith("calls=")) {
					calls += Long.parseLong(field.substring("calls=".length()));
				}
			}
		}
		return calls;
	}

	@Override
	public void close() {
		this.redis.resume();
		try {
			this.connections.close(this.prefix);
		}
		finally {
			this.redis.close();
		}
	}

}
