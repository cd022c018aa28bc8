package io.aoaigateway.resilience;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import io.aoaigateway.routing.ApiFamily;
import io.aoaigateway.routing.ApiOperation;
import io.aoaigateway.routing.Candidates;
import io.aoaigateway.routing.RequestFacts;
import io.aoaigateway.routing.RouteTarget;
import io.aoaigateway.routing.RouteTarget.DeploymentSource;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.http.HttpMethod;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which calls wait for a whole generation before their headers, and which do not.
 */
class AttemptTimeoutsTests {

	private static final Duration ATTEMPT = Duration.ofSeconds(30);

	private static final Duration GENERATION = Duration.ofSeconds(120);

	private final AttemptTimeouts timeouts = new AttemptTimeouts(ATTEMPT, GENERATION);

	@Test
	void ofWhenNonStreamedInferenceThenGenerationTimeout() {
		assertThat(of(HttpMethod.POST, "/openai/deployments/gpt-4o/chat/completions", DeploymentSource.PATH,
				json("{\"messages\":[],\"max_tokens\":5}")))
			.isEqualTo(GENERATION);
		assertThat(of(HttpMethod.POST, "/openai/v1/embeddings", DeploymentSource.BODY,
				json("{\"model\":\"e\",\"input\":\"x\",\"stream\":false}")))
			.isEqualTo(GENERATION);
	}

	@Test
	void ofWhenStreamedInferenceThenAttemptTimeout() {
		assertThat(of(HttpMethod.POST, "/openai/deployments/gpt-4o/chat/completions", DeploymentSource.PATH,
				json("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"stream\":true}")))
			.isEqualTo(ATTEMPT);
	}

	@Test
	void ofWhenMultipartUploadThenGenerationTimeout() {
		assertThat(of(HttpMethod.POST, "/openai/deployments/whisper/audio/transcriptions", DeploymentSource.PATH, null))
			.isEqualTo(GENERATION);
	}

	@ParameterizedTest
	@ValueSource(strings = { "/openai/responses", "/openai/v1/responses", "/openai/responses/" })
	void ofWhenResponseCreatedWithoutStreamThenGenerationTimeout(String path) {
		assertThat(of(HttpMethod.POST, path, DeploymentSource.NONE, json("{\"input\":\"x\"}"))).isEqualTo(GENERATION);
		assertThat(of(HttpMethod.POST, path, DeploymentSource.NONE, json("{\"input\":\"x\",\"stream\":true}")))
			.isEqualTo(ATTEMPT);
	}

	@Test
	void ofWhenStatefulCallOrReadThenAttemptTimeout() {
		assertThat(of(HttpMethod.POST, "/openai/threads/runs", DeploymentSource.NONE, json("{\"assistant_id\":\"a\"}")))
			.isEqualTo(ATTEMPT);
		assertThat(of(HttpMethod.POST, "/openai/responses/resp_1/cancel", DeploymentSource.NONE, json("{}")))
			.isEqualTo(ATTEMPT);
		assertThat(of(HttpMethod.GET, "/openai/deployments/gpt-4o/extensions/x", DeploymentSource.PATH, null))
			.isEqualTo(ATTEMPT);
	}

	@ParameterizedTest
	@ValueSource(strings = { "{\"stream\":true}", " {\"a\":{\"stream\":false},\"stream\":true}",
			"{\"messages\":[{\"stream\":false}],\"stream\":true}" })
	void streamedWhenTopLevelStreamTrueThenTrue(String body) {
		assertThat(RequestFacts.read(json(body)).stream()).isTrue();
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "{}", "{\"stream\":\"true\"}", "{\"stream\":1}", "{\"a\":{\"stream\":true}}",
			"[{\"stream\":true}]", "{\"stream\":tru", "not json" })
	void streamedWhenNoTopLevelStreamTrueThenFalse(String body) {
		assertThat(RequestFacts.read(json(body)).stream()).isFalse();
	}

	private Duration of(HttpMethod method, String path, DeploymentSource source, byte @Nullable [] body) {
		ApiFamily family = switch (source) {
			case PATH -> ApiFamily.DEPLOYMENTS;
			case BODY -> ApiFamily.V1;
			case NONE -> ApiFamily.ASSISTANTS;
		};
		RouteTarget target = new RouteTarget(family, ApiOperation.of(family, method, path), null, source,
				new Candidates(List.of(), Candidates.Order.FIXED, source == DeploymentSource.NONE));
		return this.timeouts.of(method, target, (body != null) ? RequestFacts.read(body) : RequestFacts.NONE);
	}

	private static byte[] json(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
