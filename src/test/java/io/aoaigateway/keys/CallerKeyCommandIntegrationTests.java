package io.aoaigateway.keys;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.aoaigateway.GatewayFixtures;
import io.aoaigateway.GatewayInstance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@code caller-key create} prints is what a gateway without Redis accepts: pasted
 * into a keys file (a mounted Secret) or into the application's configuration. Removing
 * the record from the file revokes the key at the next refresh, and the admin endpoint
 * says how to add a key rather than making one.
 */
class CallerKeyCommandIntegrationTests {

	private static final Duration WAIT = Duration.ofSeconds(30);

	private static final String CHAT = "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21";

	@TempDir
	Path directory;

	@Test
	void createdKeyWhenItsRecordIsInTheKeysFileThenAcceptedUntilTheRecordIsRemoved() throws IOException {
		Printed kept = create("file-app", "kept");
		Printed removed = create("file-app", "removed");
		Path file = this.directory.resolve("caller-keys.yaml");
		Files.writeString(file, "keys:\n" + indent(kept.record(), 2) + indent(removed.record(), 2));

		try (GatewayInstance gateway = GatewayInstance.start(Map.of("aoai.caller-keys.enabled", "true",
				"aoai.caller-keys.file", file.toString(), "aoai.caller-keys.refresh-interval", "1h",
				"aoai.caller-keys.max-staleness", "2h", "aoai.caller-keys.admin.enabled", "true"))) {
			assertThat(chat(gateway, kept.key())).isEqualTo(200);
			assertThat(chat(gateway, removed.key())).isEqualTo(200);

			Files.writeString(file, "keys:\n" + indent(kept.record(), 2));
			gateway.bean(CallerKeys.class).refresh().block(WAIT);

			assertThat(chat(gateway, removed.key())).isEqualTo(401);
			assertThat(chat(gateway, kept.key())).isEqualTo(200);
			ResponseEntity<String> create = admin(gateway, "{\"app\":\"file-app\",\"name\":\"n\",\"owner\":\"o\"}");
			assertThat(create.getStatusCode().value()).isEqualTo(409);
			assertThat(create.getBody()).contains("caller-key create");
		}
	}

	@Test
	void createdKeyWhenItsRecordIsInTheApplicationsConfigurationThenAccepted() throws IOException {
		Printed printed = create("config-app", "from-yaml");
		Path config = this.directory.resolve("application-keys.yaml");
		Files.writeString(config, "aoai:\n  caller-keys:\n    keys:\n" + indent(printed.record(), 6));

		try (GatewayInstance gateway = GatewayInstance
			.start(Map.of("aoai.caller-keys.enabled", "true", "spring.config.additional-location", "file:" + config))) {
			assertThat(chat(gateway, printed.key())).isEqualTo(200);
			assertThat(chat(gateway, CallerKeyFixtures.wrongSecret(printed.key()))).isEqualTo(401);
		}
	}

	private static Printed create(String app, String name) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		int status = CallerKeyCommand.run(
				new String[] { "caller-key", "create", "--app", app, "--name", name, "--owner", "team@example.com" },
				new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
		assertThat(status).isZero();
		String[] lines = out.toString(StandardCharsets.UTF_8).split("\n", 2);
		return new Printed(lines[0], lines[1]);
	}

	private static String indent(String text, int spaces) {
		String margin = " ".repeat(spaces);
		return text.lines().map((line) -> margin + line + "\n").reduce("", String::concat);
	}

	private static int chat(GatewayInstance gateway, String key) {
		return gateway.client()
			.post()
			.uri(CHAT)
			.header("api-key", key)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}],\"max_tokens\":20}")
			.exchangeToMono((response) -> response.releaseBody().thenReturn(response.statusCode().value()))
			.block(WAIT);
	}

	private static ResponseEntity<String> admin(GatewayInstance gateway, String body) {
		String token = GatewayFixtures.ISSUER.mint("key-admin",
				(claims) -> claims.claim("roles", List.of("Gateway.KeyAdmin")));
		return gateway.client()
			.post()
			.uri("/gateway/keys")
			.headers((headers) -> headers.setBearerAuth(token))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.exchangeToMono((response) -> response.toEntity(String.class))
			.block(WAIT);
	}

	/**
	 * What the command printed.
	 *
	 * @param key the first line
	 * @param record the rest: comments and the record
	 */
	private record Printed(String key, String record) {

	}

}
