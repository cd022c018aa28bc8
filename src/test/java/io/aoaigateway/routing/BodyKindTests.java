package io.aoaigateway.routing;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class BodyKindTests {

	private static final String CHAT = "/openai/deployments/gpt-4o/chat/completions";

	@Test
	void ofWhenJsonContentTypeThenJson() {
		assertThat(BodyKind.of("application/json; charset=utf-8", CHAT, true)).isEqualTo(BodyKind.JSON);
		assertThat(BodyKind.of("application/merge-patch+json", CHAT, true)).isEqualTo(BodyKind.JSON);
		assertThat(BodyKind.of("application/json", CHAT, false)).isEqualTo(BodyKind.JSON);
	}

	@ParameterizedTest
	@ValueSource(strings = { "text/plain", "application/octet-stream", "application/x-www-form-urlencoded", "" })
	void ofWhenOtherContentTypeOnAJsonOnlyEndpointThenSniffed(String contentType) {
		assertThat(BodyKind.of(contentType, CHAT, true)).isEqualTo(BodyKind.SNIFF);
		assertThat(BodyKind.of(contentType, "/openai/v1/responses", true)).isEqualTo(BodyKind.SNIFF);
	}

	@Test
	void ofWhenNoContentTypeThenSniffed() {
		assertThat(BodyKind.of(null, "/openai/assistants", true)).isEqualTo(BodyKind.SNIFF);
	}

	@Test
	void ofWhenNoBodyThenStreamed() {
		assertThat(BodyKind.of(null, CHAT, false)).isEqualTo(BodyKind.STREAM);
		assertThat(BodyKind.of("text/plain", CHAT, false)).isEqualTo(BodyKind.STREAM);
	}

	@Test
	void ofWhenMultipartThenStreamed() {
		assertThat(BodyKind.of("multipart/form-data; boundary=b", CHAT, true)).isEqualTo(BodyKind.STREAM);
	}

	@ParameterizedTest
	@ValueSource(strings = { "/openai/deployments/whisper/audio/transcriptions",
			"/openai/deployments/whisper/audio/translations", "/openai/deployments/dall-e-2/images/edits",
			"/openai/deployments/dall-e-2/images/variations", "/openai/files", "/openai/v1/files",
			"/openai/v1/uploads/upload_1/parts" })
	void ofWhenUploadEndpointThenStreamedWhateverTheContentType(String path) {
		assertThat(BodyKind.of("application/octet-stream", path, true)).isEqualTo(BodyKind.STREAM);
		assertThat(BodyKind.of(null, path, true)).isEqualTo(BodyKind.STREAM);
	}

	@Test
	void ofWhenContentTypeUnparseableThenInvalidOnlyWithABody() {
		assertThat(BodyKind.of("application/json; charset=\"unterminated", CHAT, true))
			.isEqualTo(BodyKind.INVALID_CONTENT_TYPE);
		assertThat(BodyKind.of("application/json; charset=\"unterminated", CHAT, false)).isEqualTo(BodyKind.STREAM);
	}

	@ParameterizedTest
	@ValueSource(strings = { "{\"a\":1}", "[1]", "  \r\n\t{", "\uFEFF{\"a\":1}" })
	void looksLikeJsonWhenObjectOrArrayThenTrue(String body) {
		assertThat(BodyKind.looksLikeJson(body.getBytes(StandardCharsets.UTF_8))).isTrue();
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "   ", "model=gpt-4o", "\"text\"", "42", "<xml/>" })
	void looksLikeJsonWhenNotObjectOrArrayThenFalse(String body) {
		assertThat(BodyKind.looksLikeJson(body.getBytes(StandardCharsets.UTF_8))).isFalse();
	}

}
