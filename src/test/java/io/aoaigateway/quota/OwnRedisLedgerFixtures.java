package io.aoaigateway.quota;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

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
		new RedisQuotaLedger(this.connections.template(), prefix, wait)
			.reserve("warm-up", 0, List.of(), Instant.now(), Duration.ofSeconds(1))
			.block(wait);
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
