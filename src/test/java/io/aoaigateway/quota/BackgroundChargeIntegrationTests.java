package io.aoaigateway.quota;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.aoaigateway.Eventually;
import io.aoaigateway.FakeClock;
import io.aoaigateway.GatewayFixtures;
import io.aoaigateway.GatewayInstance;
import io.aoaigateway.RedisFixtures;
import io.aoaigateway.leaks.TestClients;
import io.aoaigateway.local.LocalTokenIssuer;
import io.aoaigateway.simulator.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;

import static io.aoaigateway.GatewayFixtures.SIM_A;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Background responses (and Assistants runs) are charged exactly their usage, once: when
 * nobody fetches them (the gateway reads them when they are due, on one replica of two
 * sharing Redis, and a replica that never reads leaves them to the other), and when the
 * caller fetches them first. Time is a still clock the test moves, so every read happens
 * when the test says.
 */
class BackgroundChargeIntegrationTests {

	static final FakeClock CLOCK = new FakeClock(Instant.now());

	static final LocalTokenIssuer ISSUER = LocalTokenIssuer.start(0, CLOCK);

	private static final JsonMapper JSON = JsonMapper.shared();

	private static final long PER_DAY = 1_000_000;

	@AfterAll
	static void stopIssuer() {
		ISSUER.close();
	}

	@Test
	void backgroundResponseWhenNobodyFetchesItThenOneReplicaReadsItAndChargesItsUsageOnce() {
		String prefix = "aoai-test:" + UUID.randomUUID() + ":";
		// The first replica admits the response but never reads tracked objects; the
		// second does: the work is shared through Redis, not held by who admitted it.
		try (GatewayInstance admitting = replica(prefix, "1h"); GatewayInstance reading = replica(prefix, "20ms")) {
			String token = ISSUER.mint("background-" + UUID.randomUUID());
			JsonNode created = create(admitting, token);
			String id = created.path("id").stringValue();
			assertThat(created.path("status").stringValue()).isEqualTo("queued");
			assertThat(used(admitting, token)).as("the create is charged when the response ends").isZero();

			// Due for a first read 2 s after admission: it finds the response in
			// progress; the next read, 4 s later, finds it completed.
			CLOCK.advance(Duration.ofSeconds(2));
			Eventually.eventually(() -> reads(id), (reads) -> reads == 1, Duration.ofSeconds(10));
			CLOCK.advance(Duration.ofSeconds(4));
			long charged = Eventually.eventually(() -> used(reading, token), (used) -> used > 0,
					Duration.ofSeconds(10));

			assertThat(reads(id)).isEqualTo(2);
			assertThat(charged).isEqualTo(backendUsage(id));
			assertThat(used(admitting, token)).isEqualTo(charged);
			// Nothing is read again, however long the replicas run.
			CLOCK.advance(Duration.ofMinutes(5));
			assertThat(callThenUsed(reading, token)).isEqualTo(charged + chatUsage());
			assertThat(reads(id)).isEqualTo(3);
		}
	}

	@Test
	void backgroundResponseWhenTheCallerFetchesItToTheEndThenChargedOnceNotAgainByTheGateway() {
		try (GatewayInstance gateway = GatewayInstance.start(properties("memory", "aoai-test:", "20ms"), CLOCK)) {
			String token = ISSUER.mint("fetcher-" + UUID.randomUUID());
			String id = create(gateway, token).path("id").stringValue();

			assertThat(fetch(gateway, token, id).path("status").stringValue()).isEqualTo("in_progress");
			JsonNode completed = fetch(gateway, token, id);
			assertThat(completed.path("status").stringValue()).isEqualTo("completed");
			long usage = completed.path("usage").path("total_tokens").asLong();
			assertThat(Eventually.eventually(() -> used(gateway, token), (used) -> used > 0, Duration.ofSeconds(10)))
				.isEqualTo(usage);
			// The gateway's own read comes later, sees the end again and charges nothing.
			CLOCK.advance(Duration.ofSeconds(2));
			Eventually.eventually(() -> reads(id), (reads) -> reads == 3, Duration.ofSeconds(10));
			assertThat(callThenUsed(gateway, token)).isEqualTo(usage + chatUsage());
			assertThat(fetch(gateway, token, id).path("status").stringValue()).isEqualTo("completed");
			assertThat(callThenUsed(gateway, token)).isEqualTo(usage + 2 * chatUsage());
		}
	}

	@Test
	void assistantsRunWhenNobodyPollsItThenChargedItsUsageWhenTheGatewayReadsItEnded() {
		String version = "?api-version=2024-10-01-preview";
		try (GatewayInstance gateway = GatewayInstance.start(properties("memory", "aoai-test:", "20ms"), CLOCK)) {
			String token = ISSUER.mint("runner-" + UUID.randomUUID());
			String assistant = JSON.readTree(post(gateway, token, "/openai/assistants" + version, """
					{"model":"gpt-4o","instructions":"Be brief."}""")).path("id").stringValue();
			JsonNode run = JSON.readTree(post(gateway, token, "/openai/threads/runs" + version, """
					{"assistant_id":"%s","thread":{"messages":[{"role":"user","content":"Hi"}]}}"""
				.formatted(assistant)));
			assertThat(run.path("status").stringValue()).isEqualTo("queued");
			assertThat(used(gateway, token)).isZero();

			CLOCK.advance(Duration.ofSeconds(2));
			long charged = Eventually.eventually(() -> used(gateway, token), (used) -> used > 0,
					Duration.ofSeconds(10));

			JsonNode ended = JSON.readTree(TestClients.create(SIM_A.baseUrl().toString())
				.get()
				.uri("/openai/threads/" + run.path("thread_id").stringValue() + "/runs/" + run.path("id").stringValue()
						+ version)
				.header("api-key", GatewayFixtures.KEY_A)
				.retrieve()
				.bodyToMono(String.class)
				.block(Duration.ofSeconds(10)));
			assertThat(ended.path("status").stringValue()).isEqualTo("completed");
			assertThat(charged).isEqualTo(ended.path("usage").path("total_tokens").asLong());
		}
	}

	@Test
	void backgroundResponseWhenRedisIsDownThenTrackedInMemoryAndStillReadAndCharged() throws IOException {
		int closed;
		try (ServerSocket socket = new ServerSocket(0)) {
			closed = socket.getLocalPort();
		}
		Map<String, Object> properties = properties("redis", "aoai-test:", "20ms");
		properties.put("spring.data.redis.url", "redis://127.0.0.1:" + closed);
		properties.put("aoai.state.timeout", "200ms");
		try (GatewayInstance gateway = GatewayInstance.start(properties, CLOCK)) {
			String token = ISSUER.mint("no-redis-" + UUID.randomUUID());
			// Fail-open: admitted against the replica's own view of the quota.
			String id = create(gateway, token).path("id").stringValue();

			CLOCK.advance(Duration.ofSeconds(2));
			Eventually.eventually(() -> reads(id), (reads) -> reads == 1, Duration.ofSeconds(10));
			CLOCK.advance(Duration.ofSeconds(4));
			Eventually.eventually(() -> settlements(gateway, "charged"), (charged) -> charged == 1,
					Duration.ofSeconds(10));

			assertThat(reads(id)).isEqualTo(2);
			CLOCK.advance(Duration.ofMinutes(5));
			assertThat(settlements(gateway, "charged")).isEqualTo(1);
		}
	}

	private static double settlements(GatewayInstance gateway, String outcome) {
		for (String line : gateway.scrape().split("\n")) {
			if (line.startsWith("aoai_gateway_quota_settlements_total{")
					&& line.contains("outcome=\"" + outcome + "\"")) {
				return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
			}
		}
		throw new AssertionError("no aoai_gateway_quota_settlements_total{outcome=\"" + outcome + "\"}");
	}

	private static String post(GatewayInstance gateway, String token, String path, String body) {
		return gateway.client()
			.post()
			.uri(path)
			.headers((headers) -> headers.setBearerAuth(token))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.retrieve()
			.bodyToMono(String.class)
			.block(Duration.ofSeconds(10));
	}

	private static GatewayInstance replica(String prefix, String interval) {
		return GatewayInstance.start(properties("redis", prefix, interval), CLOCK);
	}

	private static Map<String, Object> properties(String store, String prefix, String interval) {
		Map<String, Object> properties = new HashMap<>();
		properties.put("aoai.state.store", store);
		properties.put("aoai.state.key-prefix", prefix);
		properties.put("spring.data.redis.url", RedisFixtures.LOCAL_URL);
		properties.put("aoai.auth.jwk-set-uri", ISSUER.jwkSetUri().toString());
		properties.put("aoai.auth.issuers", ISSUER.issuer());
		properties.put("aoai.quota.policies[0].name", "user-daily");
		properties.put("aoai.quota.policies[0].scope", "user");
		properties.put("aoai.quota.policies[0].tokens-per-day", PER_DAY);
		properties.put("aoai.quota.settlement.interval", interval);
		properties.put("aoai.quota.settlement.first-read", "2s");
		return properties;
	}

	private static JsonNode create(GatewayInstance gateway, String token) {
		String body = gateway.client()
			.post()
			.uri("/openai/v1/responses")
			.headers((headers) -> headers.setBearerAuth(token))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("""
					{"model":"gpt-4o","input":"Write a long story about otters.","background":true}""")
			.retrieve()
			.bodyToMono(String.class)
			.block(Duration.ofSeconds(10));
		return JSON.readTree(body);
	}

	private static JsonNode fetch(GatewayInstance gateway, String token, String id) {
		return JSON.readTree(gateway.client()
			.get()
			.uri("/openai/v1/responses/" + id)
			.headers((headers) -> headers.setBearerAuth(token))
			.retrieve()
			.bodyToMono(String.class)
			.block(Duration.ofSeconds(10)));
	}

	// A chat call after everything else this replica was asked to charge: once its usage
	// shows, every charge before it was written (the journal keeps their order).
	private static long callThenUsed(GatewayInstance gateway, String token) {
		long before = used(gateway, token);
		gateway.client()
			.post()
			.uri("/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21")
			.headers((headers) -> headers.setBearerAuth(token))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"max_tokens\":4}")
			.retrieve()
			.toBodilessEntity()
			.block(Duration.ofSeconds(10));
		return Eventually.eventually(() -> used(gateway, token), (used) -> used > before, Duration.ofSeconds(10));
	}

	private static long chatUsage() {
		JsonNode answer = JSON.readTree(TestClients.create(SIM_A.baseUrl().toString())
			.post()
			.uri("/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21")
			.header("api-key", GatewayFixtures.KEY_A)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"max_tokens\":4}")
			.retrieve()
			.bodyToMono(String.class)
			.block(Duration.ofSeconds(10)));
		return answer.path("usage").path("total_tokens").asLong();
	}

	// What the backend says the response used (a direct read, counted by reads()).
	private static long backendUsage(String id) {
		WebClient direct = TestClients.create(SIM_A.baseUrl().toString());
		JsonNode response = JSON.readTree(direct.get()
			.uri("/openai/v1/responses/" + id)
			.header("api-key", GatewayFixtures.KEY_A)
			.retrieve()
			.bodyToMono(String.class)
			.block(Duration.ofSeconds(10)));
		assertThat(response.path("status").stringValue()).isEqualTo("completed");
		return response.path("usage").path("total_tokens").asLong();
	}

	private static long reads(String id) {
		List<RecordedRequest> received = SIM_A.received();
		return received.stream()
			.filter((request) -> request.method().equals("GET") && request.path().endsWith("/responses/" + id))
			.count();
	}

	// The tokens used once no reservation is held.
	private static long used(GatewayInstance gateway, String token) {
		return QuotaFixtures.settledWindow(gateway, token).path("used").asLong();
	}

}
