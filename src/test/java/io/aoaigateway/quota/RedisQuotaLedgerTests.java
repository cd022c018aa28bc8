package io.aoaigateway.quota;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import io.aoaigateway.RedisFixtures;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * The Redis ledger against the local Redis ({@code REDIS_URL}), and against no Redis at
 * all.
 */
class RedisQuotaLedgerTests extends RedisQuotaLedgerContractTests {

	@Override
	protected String redisUrl() {
		return RedisFixtures.LOCAL_URL;
	}

	@Test
	void everyOperationWhenConnectionRefusedThenFailsWithinTheTimeout() throws IOException {
		RedisFixtures.assertFailWhenRedisIsDown(
				(redis, timeout) -> operations(new RedisQuotaLedger(redis, this.prefix, timeout)));
	}

	@Test
	void everyOperationWhenRedisNeverAnswersThenTimesOut() throws IOException {
		RedisFixtures.assertTimeOutWhenRedisHangs(
				(redis, timeout) -> operations(new RedisQuotaLedger(redis, this.prefix, timeout)));
	}

	private static List<Mono<?>> operations(QuotaLedger ledger) {
		List<QuotaWindow> windows = List.of(window("alice:minute", 1_000));
		return List.of(ledger.reserve("r1", Amount.tokens(100), windows, NOW, TTL),
				ledger.settle("r1", Amount.tokens(100), Amount.tokens(50), windows, NOW, REMEMBER),
				ledger.chargeOnce("run:abc", Amount.tokens(50), windows, NOW, Duration.ofMinutes(5)),
				ledger.read(windows, NOW), ledger.settleAll(List.of(settleOf("r1", 100, 50, windows, NOW))));
	}

}
