package io.aoaigateway.quota;

import java.time.Clock;
import java.time.Duration;

import io.aoaigateway.support.PeriodicRounds;
import io.aoaigateway.observability.GatewayMeters;
import io.aoaigateway.observability.ObservabilityProperties;
import io.aoaigateway.observability.UsageRecords;
import io.aoaigateway.quota.QuotaProperties.SettleBatch;
import io.aoaigateway.pricing.PriceCatalogue;
import io.aoaigateway.routing.BackendPool;
import io.aoaigateway.routing.RoutingProperties;
import io.aoaigateway.state.StateProperties;
import io.aoaigateway.state.StateStoreMonitor;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * Token quotas and money budgets: the ledger chosen by {@code aoai.state.store}, the
 * admission filter, and the caller's quota endpoint.
 */
@Configuration(proxyBeanMethods = false)
class QuotaConfiguration {

	/** Windows of the shared store that the local view remembers at most (a few MB). */
	static final int LOCAL_VIEW_WINDOWS = 50_000;

	@Bean
	QuotaCharging quotaCharging(QuotaProperties properties, PriceCatalogue prices, RoutingProperties routing,
			Clock clock) {
		CostPolicies.requirePrices(new QuotaPolicies(properties.policies()), routing, prices, clock.instant());
		return new QuotaCharging(properties, prices);
	}

	@Bean
	QuotaLedger quotaLedger(StateProperties state, ObjectProvider<ReactiveStringRedisTemplate> redis) {
		return switch (state.store()) {
			case MEMORY -> new InMemoryQuotaLedger();
			case REDIS -> new RedisQuotaLedger(redis.getObject(), state.keyPrefix() + "quota:", state.timeout());
		};
	}

	@Bean
	SettlementJournal quotaJournal(QuotaProperties properties, StateProperties state, QuotaLedger ledger,
			StateStoreMonitor monitor, GatewayMeters meters) {
		SettleBatch batch = properties.settleBatch();
		// In memory a write costs a lock, not a round trip: nothing is gained by waiting.
		int batchSize = (state.store() == StateProperties.Store.REDIS) ? batch.maxSize() : 1;
		return new SettlementJournal(ledger, monitor, meters, properties.journal().maxEntries(), batchSize,
				batch.maxDelay());
	}

	@Bean
	QuotaGate quotaGate(QuotaProperties properties, QuotaLedger ledger, StateStoreMonitor monitor,
			SettlementJournal journal) {
		return new QuotaGate(ledger, monitor, journal, new LocalQuotaView(LOCAL_VIEW_WINDOWS),
				properties.reservationTtl());
	}

	@Bean
	TrackedObjects trackedObjects(StateProperties state, ObjectProvider<ReactiveStringRedisTemplate> redis) {
		return switch (state.store()) {
			case MEMORY -> new InMemoryTrackedObjects();
			case REDIS -> new RedisTrackedObjects(redis.getObject(), state.keyPrefix() + "unsettled:", state.timeout());
		};
	}

	@Bean
	ObjectSettlement objectSettlement(QuotaProperties properties, TrackedObjects objects, BackendPool pool,
			QuotaCharging charging, QuotaGate gate, Clock clock, GatewayMeters meters, StateStoreMonitor monitor,
			ObservabilityProperties observability, ObjectProvider<UsageRecords> records) {
		return new ObjectSettlement(objects, pool.backends(), WebClient.create(), charging, gate,
				properties.settlement(), clock, meters, monitor,
				observability.usageRecords() ? records.getIfAvailable() : null, observability.perUserMetrics());
	}

	@Bean
	SmartLifecycle objectSettlementRounds(QuotaProperties properties, ObjectSettlement settlement) {
		// A round that hangs must not stop the next ones: what it claimed is claimed
		// again when the lease ends.
		return new PeriodicRounds("object settlement", properties.settlement().interval(),
				properties.settlement().interval(), properties.settlement().lease(), settlement::settleDue);
	}

	@Bean
	GlobalFilter tokenQuotaFilter(QuotaCharging charging, QuotaGate gate, ObjectSettlement settlement, Clock clock,
			GatewayMeters meters) {
		return new TokenQuotaFilter(charging, gate, settlement, clock, meters);
	}

	@Bean
	SmartLifecycle quotaJournalFlush(QuotaProperties properties, SettlementJournal journal) {
		return new JournalFlush(journal, properties.journal().flushTimeout());
	}

	@Bean
	HttpHeadersFilter backendRateLimitHeadersFilter() {
		return new BackendRateLimitHeadersFilter();
	}

	@Bean
	RouterFunction<ServerResponse> quotaStatusRoute(QuotaProperties properties, QuotaLedger ledger,
			StateStoreMonitor monitor, Clock clock, PriceCatalogue prices) {
		QuotaStatusHandler handler = new QuotaStatusHandler(new QuotaPolicies(properties.policies()), ledger, monitor,
				clock, prices.currency());
		return RouterFunctions.route().GET(QuotaStatusHandler.PATH, handler::status).build();
	}

	/**
	 * Writes the journal's waiting charges, and the batch of settles being gathered, at
	 * shutdown: after the web server has let the calls in flight finish (its phases stop
	 * first), before the Redis connection closes (phase 0 stops last).
	 */
	static final class JournalFlush implements SmartLifecycle {

		private static final Log logger = LogFactory.getLog(JournalFlush.class);

		private final SettlementJournal journal;

		private final Duration timeout;

		private volatile boolean running;

		JournalFlush(SettlementJournal journal, Duration timeout) {
			this.journal = journal;
			this.timeout = timeout;
		}

		@Override
		public void start() {
			this.running = true;
		}

		@Override
		public void stop() {
			this.running = false;
			int waiting = this.journal.waiting();
			if (waiting == 0) {
				return;
			}
			int lost = this.journal.flush(this.timeout);
			if (lost > 0) {
				logger.warn(lost + " quota charges could not be written to the shared store within " + this.timeout
						+ " and are lost; their reservations expire on their own");
			}
			else {
				logger.info(waiting + " waiting quota charges were written to the shared store");
			}
		}

		@Override
		public boolean isRunning() {
			return this.running;
		}

		@Override
		public int getPhase() {
			return 1;
		}

	}

}
