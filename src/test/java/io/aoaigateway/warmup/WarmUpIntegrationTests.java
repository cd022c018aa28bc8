package io.aoaigateway.warmup;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import io.aoaigateway.GatewayInstance;
import io.aoaigateway.local.LocalTokenIssuer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.http.MediaType;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A new replica fetches the token issuer's signing keys before it reports ready, so its
 * first calls do not wait on the issuer (and are served even if the issuer is briefly
 * unreachable right after start).
 */
class WarmUpIntegrationTests {

	@Test
	void startWhenWarmUpOnThenKeysAreFetchedBeforeTheFirstCall() {
		assertThat(firstCallAfterIssuerGoesAway(true)).isEqualTo(200);
	}

	@Test
	void startWhenWarmUpOffThenTheFirstCallNeedsTheIssuer() {
		// The token may be valid: the gateway cannot check it, so 503, not 401.
		assertThat(firstCallAfterIssuerGoesAway(false)).isEqualTo(503);
	}

	@Test
	@Timeout(60)
	void startWhenIssuerHangsThenWarmUpEndsAtItsTimeoutAndTheReplicaStarts() throws IOException {
		// Accepts connections and never answers: without the warm-up's bound, the key
		// fetch would hold readiness back for ever.
		try (ServerSocket silent = new ServerSocket(0)) {
			String keys = "http://127.0.0.1:" + silent.getLocalPort() + "/keys";
			long start = System.nanoTime();

			try (GatewayInstance gateway = GatewayInstance
				.start(Map.of("aoai.auth.jwk-set-uri", keys, "aoai.warm-up.timeout", "2s"))) {
				Duration took = Duration.ofNanos(System.nanoTime() - start);

				assertThat(gateway.port()).isPositive();
				assertThat(took).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
			}
		}
	}

	private static int firstCallAfterIssuerGoesAway(boolean warmUp) {
		LocalTokenIssuer issuer = LocalTokenIssuer.start(0, Clock.systemUTC());
		String token = issuer.mint("warm-up-" + warmUp);
		try (GatewayInstance gateway = GatewayInstance
			.start(Map.of("aoai.auth.jwk-set-uri", issuer.jwkSetUri().toString(), "aoai.auth.issuers", issuer.issuer(),
					"aoai.warm-up.enabled", Boolean.toString(warmUp)))) {
			issuer.close();

			return gateway.client()
				.post()
				.uri("/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21")
				.headers((headers) -> headers.setBearerAuth(token))
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue("{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}")
				.exchangeToMono((response) -> response.releaseBody().thenReturn(response.statusCode().value()))
				.block(Duration.ofSeconds(20));
		}
		finally {
			issuer.close();
		}
	}

}
