package io.aoaigateway.quota;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.aoaigateway.Eventually;
import io.aoaigateway.GatewayInstance;
import io.aoaigateway.pricing.PricingProperties;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Settings the quota tests share.
 */
final class QuotaFixtures {

	/** The default settlement settings. */
	static final QuotaProperties.Settlement SETTLEMENT = new QuotaProperties.Settlement(Duration.ofSeconds(2),
			Duration.ofMinutes(1), Duration.ofHours(24), Duration.ofSeconds(1), Duration.ofMinutes(1),
			Duration.ofSeconds(10));

	private static final JsonMapper JSON = JsonMapper.shared();

	private QuotaFixtures() {
	}

	/**
	 * @param properties {@code aoai.pricing.*} settings
	 * @return the pricing properties they bind to
	 */
	static PricingProperties pricing(Map<String, String> properties) {
		return new Binder(new MapConfigurationPropertySource(properties)).bindOrCreate("aoai.pricing",
				PricingProperties.class);
	}

	/**
	 * The caller's only quota window as a gateway reports it, once nothing is reserved in
	 * it (settles are written shortly after a call ends).
	 * @param gateway the gateway
	 * @param token the caller's token
	 * @return the window, as {@code GET /gateway/quota} reports it
	 */
	static JsonNode settledWindow(GatewayInstance gateway, String token) {
		return Eventually.eventually(() -> onlyWindow(gateway, token),
				(window) -> window.path("reserved").decimalValue().signum() == 0, Duration.ofSeconds(10));
	}

	/**
	 * @param gateway the gateway
	 * @param token the caller's token
	 * @return what {@code GET /gateway/quota} answers the caller
	 */
	static JsonNode quotaStatus(GatewayInstance gateway, String token) {
		return JSON.readTree(gateway.client()
			.get()
			.uri(QuotaStatusHandler.PATH)
			.headers((headers) -> headers.setBearerAuth(token))
			.retrieve()
			.bodyToMono(String.class)
			.block(Duration.ofSeconds(10)));
	}

	private static JsonNode onlyWindow(GatewayInstance gateway, String token) {
		List<JsonNode> windows = quotaStatus(gateway, token).path("windows").valueStream().toList();
		assertThat(windows).hasSize(1);
		return windows.get(0);
	}

}
