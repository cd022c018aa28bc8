package io.aoaigateway.server;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.aoaigateway.GatewayFixtures;
import io.aoaigateway.GatewayInstance;
import io.aoaigateway.observability.GatewayMeters;
import io.aoaigateway.server.RawHttpFixtures.Connection;
import io.aoaigateway.server.RawHttpFixtures.Response;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.http.MediaType;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Uploads that stall with their bodies half in memory cannot take the gateway's memory:
 * past the budget of buffered bodies further ones get a fast 503, an ordinary call is
 * still served, and every byte is given back when the stalled callers leave. The body
 * timeouts are long here, so that nothing but the budget decides.
 */
class BufferedBodyBudgetIntegrationTests {

	private static final Log logger = LogFactory.getLog(BufferedBodyBudgetIntegrationTests.class);

	static final long BUDGET = 4 * 1024 * 1024;

	static final Duration WAIT = Duration.ofSeconds(10);

	static GatewayInstance gateway;

	@BeforeAll
	static void start() {
		gateway = GatewayInstance
			.start(Map.of("aoai.server.body-read-timeout", "60s", "aoai.server.max-buffered-bodies", BUDGET + "B"));
		GatewayFixtures.reset();
	}

	@AfterAll
	static void stop() {
		gateway.close();
	}

	@Test
	void stalledUploadsOverTheBudgetThenRefused503AndAnUnrelatedCallStillServed() throws IOException {
		BufferedBodyBudget budget = gateway.bean(BufferedBodyBudget.class);
		RawHttpFixtures.await(WAIT, () -> budget.used() == 0);
		int declared = 1_000_000;
		int sent = 700_000;
		List<Connection> holding = new ArrayList<>();
		List<Response> refused = new ArrayList<>();
		try {
			for (int i = 0; i < 6; i++) {
				long before = budget.used();
				Connection connection = new Connection(gateway.port());
				connection.send(InboundLimitsIntegrationTests.chatRequestHead("Content-Length: " + declared + "\r\n"));
				try {
					connection.send(InboundLimitsIntegrationTests.jsonPrefix(sent));
				}
				catch (IOException ex) {
					// Refused and closed before the whole prefix was written.
				}
				Response[] answer = new Response[1];
				RawHttpFixtures.await(WAIT, () -> {
					if (budget.used() >= before + sent) {
						return true;
					}
					try {
						answer[0] = connection.awaitResponse(Duration.ofMillis(20));
					}
					catch (IOException ex) {
						return false;
					}
					return answer[0] != null;
				});
				if (answer[0] != null) {
					refused.add(answer[0]);
					connection.close();
				}
				else {
					holding.add(connection);
				}
			}
			long held = budget.used();
			double gauge = gateway.bean(MeterRegistry.class).get(GatewayMeters.BUFFERED_BODY_BYTES).gauge().value();

			String answer = gateway.client()
				.post()
				.uri(InboundLimitsIntegrationTests.CHAT)
				.headers((headers) -> headers.setBearerAuth(InboundLimitsIntegrationTests.token()))
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue(InboundLimitsIntegrationTests.CHAT_BODY)
				.retrieve()
				.bodyToMono(String.class)
				.block(WAIT);

			assertThat(answer).contains("choices");
			assertThat(held).isLessThanOrEqualTo(BUDGET - BUDGET / 4);
			assertThat(gauge).isEqualTo((double) held);
			assertThat(holding).hasSize(4);
			assertThat(refused).hasSize(2).allSatisfy((response) -> {
				assertThat(response.status()).isEqualTo(503);
				assertThat(response.headers()).containsEntry("retry-after", "1");
				assertThat(InboundLimitsIntegrationTests.error(response).path("code").asString())
					.isEqualTo("ServiceUnavailable");
			});
			logger.info(String.format("stalled uploads: 6 x %d of %d bytes, %d held, %d refused, budget held %d of %d",
					sent, declared, holding.size(), refused.size(), held, BUDGET));
		}
		finally {
			for (Connection connection : holding) {
				connection.close();
			}
		}
		assertThat(RawHttpFixtures.await(WAIT, () -> budget.used() == 0)).as("budget held: %d", budget.used()).isTrue();
		assertThat(gateway.bean(MeterRegistry.class).get(GatewayMeters.BUFFERED_BODY_BYTES).gauge().value()).isZero();
	}

}
