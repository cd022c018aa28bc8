package io.aoaigateway.usage;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import static io.aoaigateway.usage.UsageFixtures.concat;
import static io.aoaigateway.usage.UsageFixtures.recorded;
import static io.aoaigateway.usage.UsageFixtures.sameForEverySplit;
import static io.aoaigateway.usage.UsageFixtures.utf8;
import static org.assertj.core.api.Assertions.assertThat;

class JsonUsageParserTests {

	@Test
	void usageWhenChatCompletionThenPromptAndCompletionTokens() {
		Read read = read(recorded("chat-completion.json"));

		assertThat(read.usage()).isEqualTo(new TokenUsage(10, 4, 0, 0));
		assertThat(read.id()).isEqualTo("chatcmpl-o6AIPqhRiq55WrqVSEQMtiBRljhOv");
		assertThat(read.object()).isEqualTo("chat.completion");
		assertThat(read.malformed()).isFalse();
	}

	@Test
	void usageWhenCompletionThenPromptAndCompletionTokens() {
		assertThat(read(recorded("completion.json")).usage()).isEqualTo(new TokenUsage(3, 4, 0, 0));
	}

	@Test
	void usageWhenEmbeddingsThenInputTokensOnly() {
		Read read = read(recorded("embeddings.json"));

		assertThat(read.usage()).isEqualTo(new TokenUsage(4, 0, 0, 0));
		assertThat(read.object()).isEqualTo("list");
	}

	@Test
	void usageWhenEmbeddingsWithoutUsageThenNull() {
		Read read = read(utf8("{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"embedding\":[0.1,-0.2],"
				+ "\"index\":0}],\"model\":\"ada\"}"));

		assertThat(read.usage()).isNull();
		assertThat(read.malformed()).isFalse();
	}

	@Test
	void usageWhenModelInferenceWithAudioDetailsAndInconsistentTotalThenCountersAsGiven() {
		assertThat(read(recorded("model-inference-chat-completion.json")).usage())
			.isEqualTo(new TokenUsage(28, 19, 0, 0));
	}

	@Test
	void usageWhenResponsesApiThenInputAndOutputTokens() {
		Read read = read(recorded("response.json"));

		assertThat(read.usage()).isEqualTo(new TokenUsage(7, 4, 0, 0));
		assertThat(read.object()).isEqualTo("response");
		assertThat(read.status()).isEqualTo("completed");
	}

	@Test
	void usageWhenDetailsPresentThenCachedAndReasoningTokens() {
		Read chat = read(utf8("{\"usage\":{\"prompt_tokens\":100,\"completion_tokens\":50,\"total_tokens\":150,"
				+ "\"prompt_tokens_details\":{\"cached_tokens\":64,\"audio_tokens\":3},"
				+ "\"completion_tokens_details\":{\"reasoning_tokens\":20,\"audio_tokens\":2}}}"));
		Read responses = read(utf8("{\"object\":\"response\",\"usage\":{\"input_tokens\":100,"
				+ "\"input_tokens_details\":{\"cached_tokens\":32},\"output_tokens\":40,"
				+ "\"output_tokens_details\":{\"reasoning_tokens\":30},\"total_tokens\":140}}"));

		assertThat(chat.usage()).isEqualTo(new TokenUsage(100, 50, 64, 20));
		assertThat(responses.usage()).isEqualTo(new TokenUsage(100, 40, 32, 30));
	}

	@Test
	void usageWhenOnlyTotalTokensThenTakenAsInput() {
		assertThat(read(utf8("{\"usage\":{\"total_tokens\":9}}")).usage()).isEqualTo(new TokenUsage(9, 0, 0, 0));
	}

	@Test
	void usageWhenCountsAreNotNonNegativeIntegersThenUnusable() {
		Read read = read(utf8("{\"usage\":{\"prompt_tokens\":-5,\"completion_tokens\":2.5,"
				+ "\"prompt_tokens_details\":{\"cached_tokens\":123456789012345678901234567890},"
				+ "\"completion_tokens_details\":{\"reasoning_tokens\":\"7\"}}}"));

		assertThat(read.usage()).isNull();
		assertThat(read.malformed()).isFalse();
	}

	@ParameterizedTest
	@MethodSource("io.aoaigateway.usage.UsageFixtures#unusableUsages")
	void usageWhenAnyCountUnusableThenNullForEverySplit(String usage) {
		byte[] body = utf8(
				"{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"usage\":" + usage + ",\"choices\":[]}");

		Read whole = sameForEverySplit(body, JsonUsageParserTests::read);

		assertThat(whole.usage()).isNull();
		assertThat(whole.id()).isEqualTo("chatcmpl-1");
		assertThat(whole.malformed()).isFalse();
	}

	@Test
	void usageWhenCountsAtTheCeilingThenKeptAndTotalDoesNotOverflow() {
		Read read = read(utf8("{\"usage\":{\"prompt_tokens\":1000000000,\"completion_tokens\":1000000000,"
				+ "\"prompt_tokens_details\":{\"cached_tokens\":1000000000}}}"));

		assertThat(read.usage())
			.isEqualTo(new TokenUsage(TokenUsage.MAX_TOKENS, TokenUsage.MAX_TOKENS, TokenUsage.MAX_TOKENS, 0));
		assertThat(read.usage().totalTokens()).isEqualTo(2 * TokenUsage.MAX_TOKENS);
	}

	@Test
	void usageWhenDetailsOrTheirCountsAreNullThenAbsent() {
		Read read = read(utf8("{\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":3,"
				+ "\"prompt_tokens_details\":null,\"completion_tokens_details\":{\"reasoning_tokens\":null}}}"));

		assertThat(read.usage()).isEqualTo(new TokenUsage(7, 3, 0, 0));
	}

	@Test
	void usageWhenUncountedMembersHoldAnythingThenIgnored() {
		Read read = read(utf8("{\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":3,\"cost\":-1.5,"
				+ "\"note\":\"x\",\"prompt_tokens_details\":{\"audio_tokens\":\"many\",\"cached_tokens\":2},"
				+ "\"completion_tokens_details\":{\"accepted_prediction_tokens\":-4}}}"));

		assertThat(read.usage()).isEqualTo(new TokenUsage(7, 3, 2, 0));
	}

	@Test
	void usageWhenAssistantsRunQueuedThenNullWithRunFields() {
		Read read = read(recorded("run-queued.json"));

		assertThat(read.usage()).isNull();
		assertThat(read.id()).isEqualTo("run_q4UmoW1YAr8KCDXcBue4I502");
		assertThat(read.object()).isEqualTo("thread.run");
		assertThat(read.status()).isEqualTo("queued");
		assertThat(read.malformed()).isFalse();
	}

	@Test
	void usageWhenAssistantsRunCompletedThenObjectUsage() {
		Read read = read(recorded("run-completed.json"));

		assertThat(read.usage()).isEqualTo(new TokenUsage(8, 4, 0, 0));
		assertThat(read.status()).isEqualTo("completed");
	}

	@Test
	void usageWhenUsageKeysAreNestedThenOnlyTopLevelOneTaken() {
		Read nestedOnly = read(utf8("{\"id\":\"x\",\"choices\":[{\"usage\":{\"prompt_tokens\":1}}],"
				+ "\"metadata\":{\"usage\":{\"prompt_tokens\":2},\"id\":\"not-top\"}}"));
		Read both = read(utf8("{\"metadata\":{\"usage\":{\"prompt_tokens\":2}},\"usage\":{\"prompt_tokens\":5,"
				+ "\"completion_tokens\":6},\"choices\":[{\"message\":{\"usage\":{\"prompt_tokens\":1}}}],"
				+ "\"data\":[{\"status\":\"nested\"}]}"));

		assertThat(nestedOnly.usage()).isNull();
		assertThat(nestedOnly.id()).isEqualTo("x");
		assertThat(both.usage()).isEqualTo(new TokenUsage(5, 6, 0, 0));
		assertThat(both.status()).isNull();
	}

	@Test
	void usageWhenPlacedBeforeOrAfterLargeDataArrayThenSame() {
		String data = "\"data\":["
				+ "{\"object\":\"embedding\",\"embedding\":[0.25,-0.5,0.125],\"index\":0},".repeat(500)
				+ "{\"index\":500}]";
		String usage = "\"usage\":{\"prompt_tokens\":42,\"total_tokens\":42}";

		assertThat(read(utf8("{" + usage + "," + data + "}")).usage()).isEqualTo(new TokenUsage(42, 0, 0, 0));
		assertThat(read(utf8("{" + data + "," + usage + "}")).usage()).isEqualTo(new TokenUsage(42, 0, 0, 0));
	}

	@Test
	void feedWhenBodyIsMultiMegabyteThenUsageReadWithoutKeepingFedBuffers() {
		byte[] body = largeEmbeddings(4000);
		assertThat(body.length).isGreaterThan(5_000_000);
		JsonUsageParser parser = new JsonUsageParser();

		for (int offset = 0; offset < body.length; offset += 64 * 1024) {
			byte[] chunk = Arrays.copyOfRange(body, offset, Math.min(body.length, offset + 64 * 1024));
			parser.feed(ByteBuffer.wrap(chunk));
			// The parser must not look at a chunk again once it returned: scribble over
			// it.
			Arrays.fill(chunk, (byte) '!');
		}
		parser.end();

		assertThat(parser.usage()).isEqualTo(new TokenUsage(16000, 0, 0, 0));
		assertThat(parser.malformed()).isFalse();
	}

	@Test
	void feedWhenBufferGivenThenPositionAndLimitUnchanged() {
		ByteBuffer heap = ByteBuffer.wrap(recorded("chat-completion.json"));
		ByteBuffer direct = ByteBuffer.allocateDirect(heap.remaining()).put(heap.duplicate()).flip();
		JsonUsageParser first = new JsonUsageParser();
		JsonUsageParser second = new JsonUsageParser();

		first.feed(heap);
		second.feed(direct.asReadOnlyBuffer());
		second.feed(direct);
		first.end();
		second.end();

		assertThat(heap.position()).isZero();
		assertThat(heap.limit()).isEqualTo(heap.capacity());
		assertThat(direct.position()).isZero();
		assertThat(first.usage()).isEqualTo(new TokenUsage(10, 4, 0, 0));
		// The second body ends with trailing bytes after its root object: they are not
		// read.
		assertThat(second.usage()).isEqualTo(new TokenUsage(10, 4, 0, 0));
	}

	@Test
	void usageWhenBodyTruncatedBeforeUsageCompleteThenNullAndMalformed() {
		Read read = read(utf8("{\"id\":\"chatcmpl-1\",\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":"));

		assertThat(read.usage()).isNull();
		assertThat(read.id()).isEqualTo("chatcmpl-1");
		assertThat(read.malformed()).isTrue();
	}

	@Test
	void usageWhenBodyBreaksAfterUsageCompleteThenUsageKeptAndMalformed() {
		Read truncated = read(utf8("{\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":3},\"choices\":[{\"te"));
		Read garbage = read(utf8("{\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":3},\"choices\":]]]}"));

		assertThat(truncated.usage()).isEqualTo(new TokenUsage(10, 3, 0, 0));
		assertThat(truncated.malformed()).isTrue();
		assertThat(garbage.usage()).isEqualTo(new TokenUsage(10, 3, 0, 0));
		assertThat(garbage.malformed()).isTrue();
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "not json", "{\"usage\":{\"prompt_tokens\":1", "{\"usage\":{\"prompt_tokens\":1,}}",
			"{\"usage\" {}}", "<html><body>Bad gateway</body></html>", "\u0000\u0001\u0002" })
	void usageWhenBodyMalformedThenNullAndMalformed(String body) {
		Read read = read(utf8(body));

		assertThat(read.usage()).isNull();
		assertThat(read.malformed()).isTrue();
	}

	@Test
	void usageWhenInvalidUtf8InStringThenMalformedWithoutException() {
		byte[] body = concat(utf8("{\"id\":\"a"), new byte[] { (byte) 0xC3, (byte) 0x28 },
				utf8("\",\"usage\":{\"prompt_tokens\":1}}"));

		Read read = read(body);

		assertThat(read.usage()).isNull();
		assertThat(read.malformed()).isTrue();
	}

	@ParameterizedTest
	@ValueSource(strings = { "[{\"usage\":{\"prompt_tokens\":1}}]", "\"usage\"", "42", "null", "true" })
	void usageWhenBodyIsNotAnObjectThenNullAndNotMalformed(String body) {
		Read read = read(utf8(body));

		assertThat(read.usage()).isNull();
		assertThat(read.malformed()).isFalse();
	}

	@Test
	void feedWhenCalledAfterEndThenIgnored() {
		JsonUsageParser parser = new JsonUsageParser();
		parser.feed(ByteBuffer.wrap(utf8("{\"usage\":{\"prompt_tokens\":1}}")));
		parser.end();

		parser.feed(ByteBuffer.wrap(utf8("{\"usage\":{\"prompt_tokens\":2}}")));
		parser.end();

		assertThat(parser.usage()).isEqualTo(new TokenUsage(1, 0, 0, 0));
	}

	@ParameterizedTest
	@ValueSource(strings = { "chat-completion.json", "completion.json", "embeddings.json",
			"model-inference-chat-completion.json", "response.json", "run-queued.json", "run-completed.json" })
	void usageWhenRecordingSplitAnywhereThenSameAsWhole(String recording) {
		Read whole = sameForEverySplit(recorded(recording), JsonUsageParserTests::read);

		assertThat(whole.malformed()).isFalse();
	}

	@ParameterizedTest
	@ValueSource(strings = { "{\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":3},\"choices\":[{\"te",
			"{\"id\":\"r\u00e9sum\u00e9-\u4e16\u754c\",\"usage\":null,\"status\":\"queued\"}", "[1,2]", "not json",
			"{\"metadata\":{\"usage\":{\"prompt_tokens\":2}},\"usage\":{\"input_tokens\":5,"
					+ "\"input_tokens_details\":{\"cached_tokens\":1}}}" })
	void usageWhenInlineBodySplitAnywhereThenSameAsWhole(String body) {
		sameForEverySplit(utf8(body), JsonUsageParserTests::read);
	}

	private static byte[] largeEmbeddings(int count) {
		StringBuilder body = new StringBuilder("{\"object\":\"list\",\"data\":[");
		String vector = "0.0123456789,-0.0234567891,".repeat(50) + "0.5";
		for (int index = 0; index < count; index++) {
			body.append(index > 0 ? "," : "")
				.append("{\"object\":\"embedding\",\"index\":")
				.append(index)
				.append(",\"embedding\":[")
				.append(vector)
				.append("]}");
		}
		body.append(
				"],\"model\":\"text-embedding-3-small\",\"usage\":{\"prompt_tokens\":16000,\"total_tokens\":16000}}");
		return utf8(body.toString());
	}

	@Test
	void itemIdsWhenResponseThenEveryOutputItemsIdAndCallIdAtAnySplit() {
		byte[] body = utf8("""
				{"id":"resp_1","object":"response","status":"completed","background":false,
				"output":[{"type":"reasoning","id":"rs_1","summary":[{"type":"t","id":"not-this"}],
				"encrypted_content":"e"},{"id":"msg_2","type":"message","content":[{"id":"nor-this"}]},
				{"type":"function_call","call_id":"call_3","id":"fc_3","arguments":"{\"id\":1}"}],
				"metadata":{"id":"not-an-item"},"usage":{"input_tokens":5,"output_tokens":7,"total_tokens":12}}""");

		List<String> ids = sameForEverySplit(body, (chunks) -> {
			JsonUsageParser parser = new JsonUsageParser();
			chunks.forEach((chunk) -> parser.feed(ByteBuffer.wrap(chunk)));
			parser.end();
			return parser.itemIds();
		});

		assertThat(ids).containsExactly("rs_1", "msg_2", "call_3", "fc_3");
	}

	@Test
	void backgroundWhenTopLevelTrueThenBackground() {
		JsonUsageParser background = parsed("{\"id\":\"resp_1\",\"object\":\"response\",\"background\":true,"
				+ "\"status\":\"queued\",\"output\":[],\"usage\":null}");
		JsonUsageParser nested = parsed("{\"id\":\"resp_1\",\"metadata\":{\"background\":true},\"background\":false}");

		assertThat(background.background()).isTrue();
		assertThat(background.status()).isEqualTo("queued");
		assertThat(background.itemIds()).isEmpty();
		assertThat(nested.background()).isFalse();
	}

	@Test
	void fileIdWhenCompletedUploadThenTheFileItBecame() {
		JsonUsageParser upload = parsed("""
				{"id":"upload_1","object":"upload","status":"completed","metadata":{"file":{"id":"not-this"}},
				"file":{"object":"file","bytes":5,"id":"file-abc","meta":{"id":"nor-this"}}}""");
		JsonUsageParser pending = parsed("{\"id\":\"upload_1\",\"object\":\"upload\",\"file\":null}");

		assertThat(upload.fileId()).isEqualTo("file-abc");
		assertThat(upload.itemIds()).isEmpty();
		assertThat(pending.fileId()).isNull();
	}

	@Test
	void itemIdsWhenOutputIsNotAnArrayOfItemsThenNone() {
		assertThat(parsed("{\"output\":{\"x\":{\"id\":\"a\"}},\"id\":\"r\"}").itemIds()).isEmpty();
		assertThat(parsed("{\"data\":[{\"id\":\"file-1\"}]}").itemIds()).isEmpty();
		assertThat(parsed("{\"output\":[[{\"id\":\"a\"}],\"b\",{\"id\":7}]}").itemIds()).isEmpty();
	}

	private static JsonUsageParser parsed(String body) {
		JsonUsageParser parser = new JsonUsageParser();
		parser.feed(ByteBuffer.wrap(utf8(body)));
		parser.end();
		return parser;
	}

	private static Read read(byte[] body) {
		return read(List.of(body));
	}

	private static Read read(List<byte[]> chunks) {
		JsonUsageParser parser = new JsonUsageParser();
		chunks.forEach((chunk) -> parser.feed(ByteBuffer.wrap(chunk)));
		parser.end();
		return new Read(parser.usage(), parser.id(), parser.object(), parser.status(), parser.malformed());
	}

	record Read(@Nullable TokenUsage usage, @Nullable String id, @Nullable String object, @Nullable String status,
			boolean malformed) {
	}

}
