package io.aoaigateway.quota;

import java.time.Clock;

import io.aoaigateway.observability.GatewayMeters;
import io.aoaigateway.state.StateProperties;
import io.aoaigateway.state.StateStoreMonitor;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * Token quotas: the ledger chosen by {@code aoai.state.store}, the admission filter, and
 * the caller's quota endpoint.
 */
@Configuration(proxyBeanMethods = false)
class QuotaConfiguration {

	@Bean
	QuotaLedger quotaLedger(StateProperties state, ObjectProvider<ReactiveStringRedisTemplate> redis) {
		return switch (state.store()) {
			case MEMORY -> new InMemoryQuotaLedger();
			case REDIS -> new RedisQuotaLedger(redis.getObject(), state.keyPrefix() + "quota:", state.timeout());
		};
	}

	@Bean
	GlobalFilter tokenQuotaFilter(QuotaProperties properties, QuotaLedger ledger, StateStoreMonitor monitor,
			Clock clock, GatewayMeters meters) {
		return new TokenQuotaFilter(properties, ledger, monitor, clock, meters);
	}

	@Bean
	HttpHeadersFilter backendRateLimitHeadersFilter() {
		return new BackendRateLimitHeadersFilter();
	}

	@Bean
	RouterFunction<ServerResponse> quotaStatusRoute(QuotaProperties properties, QuotaLedger ledger,
			StateStoreMonitor monitor, Clock clock) {
		QuotaStatusHandler handler = new QuotaStatusHandler(new QuotaPolicies(properties.policies()), ledger, monitor,
				clock);
		return RouterFunctions.route().GET(QuotaStatusHandler.PATH, handler::status).build();
	}

}
