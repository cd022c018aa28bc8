package io.aoaigateway.keys;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

import io.aoaigateway.Eventually;
import io.aoaigateway.GatewayFixtures;
import io.aoaigateway.GatewayInstance;
import io.aoaigateway.RedisFixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Key administration through {@code /gateway/keys} on two replicas sharing the machine's
 * Redis: who may use it, a key created, rotated and revoked on one replica and seen by
 * the other at its next refresh (driven by the test; the interval is set to an hour so
 * that none happens by itself).
 */
class CallerKeysAdminIntegrationTests {

	private static final JsonMapper JSON = JsonMapper.shared();

	private static final Duration WAIT = Duration.ofSeconds(30);

	private static final String CHAT = "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21";

	private static final String HELLO = """
			{"messages":[{"role":"user","content":"Hello"}],"max_tokens":20}""";

	private static final String PREFIX = "aoai-test:" + UUID.randomUUID() + ":";

	private static GatewayInstance first;

	private static GatewayInstance second;

	@BeforeAll
	static void twoReplicas() {
		first = replica();
		second = replica();
		for (GatewayInstance replica : List.of(first, second)) {
			Eventually.eventually(() -> replica.bean(CallerKeys.class).staleness(), (staleness) -> staleness != null,
					WAIT);
		}
	}

	@AfterAll
	static void stopReplicas() {
		try {
			first.close();
			second.close();
		}
		finally {
			new RedisFixtures.Connections(RedisFixtures.LOCAL_URL).close(PREFIX);
		}
	}

	@BeforeEach
	void resetSimulators() {
		GatewayFixtures.reset();
	}

	@Test
	void adminCallsWhenNotAnEntraCallerWithTheRoleThenRefused() {
		IssuedKey key = create(first, "guarded-app");

		ResponseEntity<String> noRole = call(first, HttpMethod.GET, "/gateway/keys", null,
				(headers) -> headers.setBearerAuth(GatewayFixtures.ISSUER.mint("not-an-admin")));
		ResponseEntity<String> asKey = call(first, HttpMethod.POST, "/gateway/keys", """
				{"app":"guarded-app","name":"escalation","owner":"mallory"}""",
				(headers) -> headers.set("api-key", key.key()));
		ResponseEntity<String> anonymous = call(first, HttpMethod.GET, "/gateway/keys", null, (headers) -> {
		});

		assertThat(noRole.getStatusCode().value()).isEqualTo(403);
		assertThat(noRole.getBody()).contains("Gateway.KeyAdmin");
		assertThat(asKey.getStatusCode().value()).isEqualTo(403);
		assertThat(asKey.getBody()).contains("A gateway key cannot manage gateway keys");
		assertThat(anonymous.getStatusCode().value()).isEqualTo(401);
	}

	@Test
	void createWhenAdminThenTheKeyIsShownOnceAndWorksHereAtOnceAndOnTheOtherReplicaAfterItsRefresh() {
		ResponseEntity<String> created = admin(first, HttpMethod.POST, "/gateway/keys", """
				{"app":"reports-app","name":"nightly","owner":"reports-team","roles":["Batch"]}""");

		assertThat(created.getStatusCode().value()).isEqualTo(201);
		assertThat(created.getHeaders().getCacheControl()).isEqualTo("no-store");
		JsonNode body = JSON.readTree(created.getBody());
		String key = body.path("key").asString();
		String keyId = body.path("record").path("keyId").asString();
		assertThat(key).startsWith("aoai_" + keyId + "_");
		assertThat(body.path("record").path("caller").asString()).isEqualTo("caller-key:reports-app");
		assertThat(body.path("record").has("hash")).isFalse();
		assertThat(chat(first, key)).isEqualTo(200);
		assertThat(chat(second, key)).isEqualTo(401);
		refresh(second);
		assertThat(chat(second, key)).isEqualTo(200);
		String listing = admin(second, HttpMethod.GET, "/gateway/keys", null).getBody();
		assertThat(listing).contains("\"prefix\":\"aoai_" + keyId + "\"")
			.contains("\"source\":\"redis\"")
			.doesNotContain(key.substring(16))
			.doesNotContain("\"hash\"")
			.doesNotContain("\"salt\"");
	}

	@Test
	void revokeWhenDoneOnOneReplicaThenRefusedThereAtOnceAndOnTheOtherAtItsNextRefresh() {
		IssuedKey key = create(first, "revoked-app");
		refresh(second);
		assertThat(chat(second, key.key())).isEqualTo(200);

		ResponseEntity<String> revoked = admin(first, HttpMethod.DELETE, "/gateway/keys/" + key.keyId(), null);

		assertThat(revoked.getStatusCode().value()).isEqualTo(204);
		assertThat(chat(first, key.key())).isEqualTo(401);
		assertThat(chat(second, key.key())).isEqualTo(200);
		refresh(second);
		assertThat(chat(second, key.key())).isEqualTo(401);
		assertThat(admin(first, HttpMethod.DELETE, "/gateway/keys/" + key.keyId(), null).getStatusCode().value())
			.isEqualTo(404);
	}

	@Test
	void rotateWhenDoneThenBothKeysWorkAndTheAppsObjectsStayReachableWithTheNewOne() {
		IssuedKey old = create(first, "rotating-app");
		String object = "/openai/v1/responses/" + JSON
			.readTree(call(first, HttpMethod.POST, "/openai/v1/responses", """
					{"model":"gpt-5-pool","input":"Remember this."}""", (headers) -> headers.set("api-key", old.key()))
				.getBody())
			.path("id")
			.asString();

		ResponseEntity<String> rotated = admin(first, HttpMethod.POST, "/gateway/keys/" + old.keyId() + "/rotate", """
				{"gracePeriod":"1h"}""");

		assertThat(rotated.getStatusCode().value()).isEqualTo(201);
		JsonNode body = JSON.readTree(rotated.getBody());
		String fresh = body.path("key").asString();
		assertThat(body.path("previous").path("expiresAt").isNull()).isFalse();
		refresh(second);
		for (GatewayInstance replica : List.of(first, second)) {
			assertThat(chat(replica, old.key())).isEqualTo(200);
			assertThat(chat(replica, fresh)).isEqualTo(200);
			assertThat(call(replica, HttpMethod.GET, object, null, (headers) -> headers.set("api-key", fresh))
				.getStatusCode()
				.value()).isEqualTo(200);
		}
		assertThat(call(first, HttpMethod.GET, object, null,
				(headers) -> headers.set("api-key", create(first, "other-app").key()))
			.getStatusCode()
			.value()).isEqualTo(404);
	}

	@Test
	void createWhenTheAppHoldsTwoValidKeysThen409() {
		create(first, "busy-app");
		create(first, "busy-app");

		ResponseEntity<String> third = admin(first, HttpMethod.POST, "/gateway/keys", """
				{"app":"busy-app","name":"third","owner":"team"}""");

		assertThat(third.getStatusCode().value()).isEqualTo(409);
		assertThat(third.getBody()).contains("already holds 2 valid keys");
		assertThat(admin(first, HttpMethod.POST, "/gateway/keys", """
				{"app":"bad app","name":"n","owner":"o"}""").getStatusCode().value()).isEqualTo(400);
		assertThat(admin(first, HttpMethod.POST, "/gateway/keys", "{\"app\":").getStatusCode().value()).isEqualTo(400);
	}

	private static GatewayInstance replica() {
		return GatewayInstance
			.start(Map.of("aoai.state.store", "redis", "aoai.state.key-prefix", PREFIX, "spring.data.redis.url",
					RedisFixtures.LOCAL_URL, "aoai.caller-keys.enabled", "true", "aoai.caller-keys.admin.enabled",
					"true", "aoai.caller-keys.refresh-interval", "1h", "aoai.caller-keys.max-staleness", "2h"));
	}

	private static void refresh(GatewayInstance replica) {
		replica.bean(CallerKeys.class).refresh().block(WAIT);
	}

	private static IssuedKey create(GatewayInstance replica, String app) {
		ResponseEntity<String> created = admin(replica, HttpMethod.POST, "/gateway/keys", """
				{"app":"%s","name":"key-%s","owner":"team"}""".formatted(app, UUID.randomUUID()));
		assertThat(created.getStatusCode().value()).as(created.getBody()).isEqualTo(201);
		JsonNode body = JSON.readTree(created.getBody());
		return new IssuedKey(body.path("key").asString(), body.path("record").path("keyId").asString());
	}

	private static int chat(GatewayInstance replica, String key) {
		return call(replica, HttpMethod.POST, CHAT, HELLO, (headers) -> headers.set("api-key", key)).getStatusCode()
			.value();
	}

	private static ResponseEntity<String> admin(GatewayInstance replica, HttpMethod method, String path, String body) {
		String token = GatewayFixtures.ISSUER.mint("key-admin",
				(claims) -> claims.claim("roles", List.of("Gateway.KeyAdmin")));
		return call(replica, method, path, body, (headers) -> headers.setBearerAuth(token));
	}

	private static ResponseEntity<String> call(GatewayInstance replica, HttpMethod method, String path, String body,
			Consumer<HttpHeaders> headers) {
		WebClient.RequestBodySpec request = replica.client().method(method).uri(path).headers(headers);
		WebClient.RequestHeadersSpec<?> ready = (body != null)
				? request.contentType(MediaType.APPLICATION_JSON).bodyValue(body) : request;
		return ready.exchangeToMono((response) -> response.toEntity(String.class)).block(WAIT);
	}

	/**
	 * A key the admin endpoint made.
	 *
	 * @param key the key
	 * @param keyId its id
	 */
	private record IssuedKey(String key, String keyId) {

	}

}
