package io.aoaigateway.quota;

import java.nio.charset.StandardCharsets;

import io.aoaigateway.routing.ApiOperation;
import io.aoaigateway.routing.RequestFacts;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TokenEstimateTests {

	@Test
	void estimateWhenChatSetsMaxTokensAndNThenOutputIsTheirProduct() {
		TokenEstimate estimate = estimate(ApiOperation.CHAT,
				"{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"max_tokens\":100,\"n\":3}");

		assertThat(estimate.output()).isEqualTo(300);
		// 68 bytes: a quarter, rounded up.
		assertThat(estimate.input()).isEqualTo(17);
	}

	@Test
	void estimateWhenNoCapThenDefaultOutputIsReserved() {
		assertThat(estimate(ApiOperation.CHAT, "{\"messages\":[]}").output()).isEqualTo(4096);
	}

	@Test
	void estimateWhenMaxCompletionTokensAndMaxTokensThenMaxCompletionTokensWins() {
		assertThat(estimate(ApiOperation.CHAT, "{\"max_tokens\":10,\"max_completion_tokens\":20}").output())
			.isEqualTo(20);
	}

	@Test
	void estimateWhenResponsesThenMaxOutputTokensCounts() {
		assertThat(estimate(ApiOperation.RESPONSES, "{\"input\":\"x\",\"max_output_tokens\":77}").output())
			.isEqualTo(77);
	}

	@Test
	void estimateWhenEmbeddingsThenNoOutput() {
		assertThat(estimate(ApiOperation.EMBEDDINGS, "{\"input\":\"hello\",\"max_tokens\":5}").output()).isZero();
	}

	@Test
	void estimateWhenRunThenOnlyRoomForOneToken() {
		assertThat(estimate(ApiOperation.RUN, "{\"assistant_id\":\"asst_1\"}").total()).isEqualTo(1);
	}

	@Test
	void estimateWhenCapIsAbsurdThenNoOverflow() {
		TokenEstimate estimate = estimate(ApiOperation.CHAT,
				"{\"max_tokens\":9223372036854775807,\"n\":9223372036854775807}");

		assertThat(estimate.total()).isPositive();
	}

	private static TokenEstimate estimate(ApiOperation operation, String body) {
		byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
		return TokenEstimate.of(operation, bytes.length, RequestFacts.read(bytes), 4096);
	}

}
