package io.aoaigateway.usage;

import java.nio.ByteBuffer;
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
import static io.aoaigateway.usage.UsageFixtures.withLineEndings;
import static org.assertj.core.api.Assertions.assertThat;

class SseUsageParserTests {

	private static final String SIMULATED_TEXT = "This is a simulated";

	private static final String USAGE_CHUNK = "data: {\"id\":\"c\",\"choices\":[],\"usage\":{\"prompt_tokens\":12,"
			+ "\"completion_tokens\":5,\"total_tokens\":17}}\n\n";

	@Test
	void usageWhenChatStreamWithoutIncludeUsageThenNullAndTextCounted() {
		Read read = read(recorded("chat-stream.sse"));

		assertThat(read.usage()).isNull();
		assertThat(read.generatedCharacters()).isEqualTo(SIMULATED_TEXT.length());
		assertThat(read.done()).isTrue();
	}

	@Test
	void usageWhenChatStreamWithIncludeUsageThenFinalChunksUsage() {
		Read read = read(recorded("chat-stream-include-usage.sse"));

		assertThat(read.usage()).isEqualTo(new TokenUsage(10, 4, 0, 0));
		assertThat(read.generatedCharacters()).isEqualTo(SIMULATED_TEXT.length());
		assertThat(read.done()).isTrue();
	}

	@Test
	void usageWhenHandWrittenChatStreamThenUsageAndMultiByteTextCounted() {
		Read read = read(recorded("chat-stream-variants-include-usage.sse"));

		assertThat(read.usage()).isEqualTo(new TokenUsage(12, 5, 3, 1));
		assertThat(read.generatedCharacters())
			.isEqualTo("H\u00e9llo".length() + " \"usage\":null, \u4e16\u754c \uD83D\uDE00".length());
		assertThat(read.done()).isTrue();
	}

	@Test
	void generatedCharactersWhenCompletionsStreamThenTextCounted() {
		Read read = read(recorded("completions-stream.sse"));

		assertThat(read.usage()).isNull();
		assertThat(read.generatedCharacters()).isEqualTo(SIMULATED_TEXT.length());
		assertThat(read.done()).isTrue();
	}

	@Test
	void endedObjectsWhenAssistantsRunStreamThenCompletedRunWithUsage() {
		Read read = read(recorded("assistants-run-stream.sse"));

		assertThat(read.runs())
			.containsExactly(new ObjectUsage("run_q4UmoW1YAr8KCDXcBue4I502", "completed", new TokenUsage(8, 4, 0, 0)));
		// Step usage is part of the run's: it must not surface as usage of its own.
		assertThat(read.usage()).isNull();
		assertThat(read.generatedCharacters()).isEqualTo(SIMULATED_TEXT.length());
		assertThat(read.done()).isTrue();
	}

	@Test
	void usageWhenResponsesStreamThenCompletedResponseUsage() {
		Read read = read(recorded("responses-stream.sse"));

		assertThat(read.usage()).isEqualTo(new TokenUsage(7, 4, 0, 0));
		assertThat(read.generatedCharacters()).isEqualTo(SIMULATED_TEXT.length());
		assertThat(read.done()).isFalse();
	}

	@ParameterizedTest
	@ValueSource(
			strings = { "chat-stream.sse", "chat-stream-include-usage.sse", "chat-stream-variants-include-usage.sse",
					"completions-stream.sse", "assistants-run-stream.sse", "responses-stream.sse" })
	void readWhenRecordingSplitAnywhereThenSameAsWhole(String recording) {
		sameForEverySplit(recorded(recording), SseUsageParserTests::read);
	}

	@ParameterizedTest
	@ValueSource(strings = { "chat-stream-include-usage.sse", "assistants-run-stream.sse", "responses-stream.sse" })
	void readWhenLinesEndWithCrLfOrCrThenSameAsLf(String recording) {
		byte[] lf = recorded(recording);
		Read expected = read(lf);

		Read crlf = sameForEverySplit(withLineEndings(lf, "\r\n"), SseUsageParserTests::read);
		Read cr = sameForEverySplit(withLineEndings(lf, "\r"), SseUsageParserTests::read);

		assertThat(crlf).isEqualTo(expected);
		assertThat(cr).isEqualTo(expected);
	}

	@Test
	void readWhenDataHasNoSpaceOrSpansLinesThenJoinedWithLineFeed() {
		Read read = read(utf8("data:{\"choices\":[{\"delta\":{\"content\":\"ab\"}}],\n"
				+ "data: \"usage\":{\"prompt_tokens\":1,\n" + "data:  \"completion_tokens\":2}}\n\n"));

		assertThat(read.usage()).isEqualTo(new TokenUsage(1, 2, 0, 0));
		assertThat(read.generatedCharacters()).isEqualTo(2);
	}

	@Test
	void readWhenCommentsAndOtherFieldsThenIgnored() {
		Read read = read(utf8(": ping\n:data: {\"usage\":{\"prompt_tokens\":99}}\nid: 7\nretry: 1000\n"
				+ "datum: {\"usage\":{\"prompt_tokens\":98}}\n\n" + USAGE_CHUNK));

		assertThat(read.usage()).isEqualTo(new TokenUsage(12, 5, 0, 0));
	}

	@Test
	void usageWhenLaterChunksCarryNullUsageThenLastNonNullKept() {
		Read read = read(utf8(USAGE_CHUNK + "data: {\"choices\":[],\"usage\":null}\n\n"
				+ "data: {\"choices\":[],\"metadata\":{\"usage\":{\"prompt_tokens\":1}}}\n\ndata: [DONE]\n\n"));

		assertThat(read.usage()).isEqualTo(new TokenUsage(12, 5, 0, 0));
		assertThat(read.done()).isTrue();
	}

	@Test
	void usageWhenStreamEndsWithoutBlankLineThenPendingEventDispatched() {
		Read read = read(utf8(USAGE_CHUNK.strip()));

		assertThat(read.usage()).isEqualTo(new TokenUsage(12, 5, 0, 0));
	}

	@Test
	void generatedCharactersWhenToolCallsAndRefusalsThenCounted() {
		Read read = read(utf8("data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":"
				+ "{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\"\"}},{\"index\":1,\"function\":"
				+ "{\"arguments\":\":1}\"}}]}},{\"delta\":{\"refusal\":\"No.\",\"content\":null}}]}\n\n"));

		assertThat(read.generatedCharacters()).isEqualTo("{\"city\"".length() + ":1}".length() + "No.".length());
	}

	@Test
	void generatedCharactersWhenResponsesFunctionCallDeltaThenCounted() {
		Read read = read(utf8("event: response.function_call_arguments.delta\n"
				+ "data: {\"type\":\"response.function_call_arguments.delta\",\"delta\":\"{\\\"a\\\":1}\"}\n\n"
				+ "event: response.output_text.done\ndata: {\"type\":\"response.output_text.done\",\"delta\":\"x\","
				+ "\"text\":\"ignored\"}\n\n"
				+ "data: {\"type\":\"response.output_text.delta\",\"delta\":\"hey\"}\n\n"));

		assertThat(read.generatedCharacters()).isEqualTo("{\"a\":1}".length() + "hey".length());
	}

	@ParameterizedTest
	@ValueSource(strings = { "response.incomplete", "response.failed" })
	void usageWhenResponsesEndOtherwiseThenTheirUsage(String type) {
		Read read = read(utf8("event: " + type + "\ndata: {\"type\":\"" + type + "\",\"response\":{\"id\":\"resp_1\","
				+ "\"usage\":{\"input_tokens\":3,\"output_tokens\":2,\"output_tokens_details\":"
				+ "{\"reasoning_tokens\":1}}}}\n\n"));

		assertThat(read.usage()).isEqualTo(new TokenUsage(3, 2, 0, 1));
	}

	@ParameterizedTest
	@MethodSource("io.aoaigateway.usage.UsageFixtures#unusableUsages")
	void usageWhenChatUsageChunkUnusableThenNullForEverySplit(String usage) {
		byte[] stream = utf8("data: {\"id\":\"c\",\"choices\":[{\"delta\":{\"content\":\"Hi\"}}],\"usage\":null}\n\n"
				+ "data: {\"id\":\"c\",\"choices\":[],\"usage\":" + usage + "}\n\ndata: [DONE]\n\n");

		Read whole = sameForEverySplit(stream, SseUsageParserTests::read);

		assertThat(whole.usage()).isNull();
		assertThat(whole.generatedCharacters()).isEqualTo(2);
		assertThat(whole.done()).isTrue();
	}

	@ParameterizedTest
	@MethodSource("io.aoaigateway.usage.UsageFixtures#unusableUsages")
	void usageWhenResponsesTerminalUsageUnusableThenNullForEverySplit(String usage) {
		byte[] stream = utf8("event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\","
				+ "\"delta\":\"Hey\"}\n\nevent: response.completed\ndata: {\"type\":\"response.completed\","
				+ "\"response\":{\"id\":\"resp_1\",\"usage\":" + usage + "}}\n\n");

		Read whole = sameForEverySplit(stream, SseUsageParserTests::read);

		assertThat(whole.usage()).isNull();
		assertThat(whole.generatedCharacters()).isEqualTo(3);
	}

	@Test
	void usageWhenUnusableUsageFollowsAGoodOneThenNull() {
		Read read = read(utf8(USAGE_CHUNK + "data: {\"id\":\"c\",\"choices\":[],\"usage\":{\"prompt_tokens\":-1,"
				+ "\"completion_tokens\":5}}\n\n"));

		assertThat(read.usage()).isNull();
	}

	@Test
	void usageWhenGoodUsageFollowsAnUnusableOneThenTheGoodOne() {
		Read read = read(
				utf8("data: {\"id\":\"c\",\"choices\":[],\"usage\":{\"prompt_tokens\":\"12\"}}\n\n" + USAGE_CHUNK));

		assertThat(read.usage()).isEqualTo(new TokenUsage(12, 5, 0, 0));
	}

	@Test
	void usageWhenResponsesCreatedEventCarriesNullUsageThenNull() {
		Read read = read(utf8("event: response.created\ndata: {\"type\":\"response.created\",\"response\":"
				+ "{\"usage\":null,\"output\":[{\"usage\":{\"input_tokens\":9}}]}}\n\n"));

		assertThat(read.usage()).isNull();
	}

	@Test
	void endedObjectsWhenRunsEndEveryWayThenEachWithItsStatus() {
		StringBuilder stream = new StringBuilder();
		for (String status : List.of("queued", "in_progress", "requires_action", "cancelling")) {
			stream.append(runEvent(status, "null"));
		}
		for (String status : List.of("failed", "cancelled", "expired", "incomplete")) {
			stream.append(runEvent(status, "{\"prompt_tokens\":5,\"completion_tokens\":1,\"total_tokens\":6}"));
		}
		stream.append(runEvent("completed", "null"));
		stream.append("event: thread.run.step.completed\ndata: {\"id\":\"step_1\",\"object\":\"thread.run.step\","
				+ "\"status\":\"completed\",\"usage\":{\"prompt_tokens\":5}}\n\n");

		Read read = read(utf8(stream.toString()));

		assertThat(read.runs()).extracting(ObjectUsage::status)
			.containsExactly("failed", "cancelled", "expired", "incomplete");
		assertThat(read.runs()).allSatisfy((run) -> {
			assertThat(run.id()).isEqualTo("run_1");
			assertThat(run.usage()).isEqualTo(new TokenUsage(5, 1, 0, 0));
		});
		assertThat(read.usage()).isNull();
	}

	@Test
	void endedObjectsWhenManyThenBounded() {
		String event = runEvent("completed", "{\"prompt_tokens\":1}");

		Read read = read(utf8(event.repeat(SseUsageParser.MAX_RUNS + 10)));

		assertThat(read.runs()).hasSize(SseUsageParser.MAX_RUNS);
	}

	@Test
	void readWhenGarbageBytesAroundEventsThenUsageStillRead() {
		byte[] garbage = { (byte) 0xFF, (byte) 0xFE, 0, 7, '{', '\n', (byte) 0x80, '\n', '\n' };

		Read read = read(concat(garbage, utf8(USAGE_CHUNK), garbage, utf8("data: [DONE]\n\n")));

		assertThat(read.usage()).isEqualTo(new TokenUsage(12, 5, 0, 0));
		assertThat(read.done()).isTrue();
	}

	@Test
	void readWhenDataJsonTruncatedThenNextEventsStillRead() {
		Read before = read(utf8("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":4\n\n" + USAGE_CHUNK));
		Read after = read(utf8(USAGE_CHUNK + "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":4\n\n"));

		assertThat(before.usage()).isEqualTo(new TokenUsage(12, 5, 0, 0));
		assertThat(after.usage()).isEqualTo(new TokenUsage(12, 5, 0, 0));
	}

	@Test
	void readWhenBlankLinesMissingThenUsageOfEachJoinedChunkStillRead() {
		Read read = read(utf8("data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n" + USAGE_CHUNK));

		assertThat(read.usage()).isEqualTo(new TokenUsage(12, 5, 0, 0));
		assertThat(read.generatedCharacters()).isEqualTo(2);
	}

	@Test
	void readWhenEventExceedsOneMebibyteThenSkippedAndNextEventRead() {
		String huge = "data: {\"choices\":[{\"delta\":{\"content\":\"" + "x".repeat(SseUsageParser.MAX_EVENT_BYTES)
				+ "\"}}],\"usage\":{\"prompt_tokens\":1}}\n";

		Read read = read(utf8(huge + huge + "\n" + USAGE_CHUNK));

		assertThat(read.usage()).isEqualTo(new TokenUsage(12, 5, 0, 0));
		assertThat(read.generatedCharacters()).isZero();
	}

	@Test
	void readWhenInvalidUtf8InDataThenThatEventLostAndOthersRead() {
		byte[] broken = concat(utf8("data: {\"choices\":[{\"delta\":{\"content\":\"a"),
				new byte[] { (byte) 0xC3, (byte) 0x28 }, utf8("\"}}],\"usage\":{\"prompt_tokens\":1}}\n\n"));

		Read read = read(concat(utf8(USAGE_CHUNK), broken));

		assertThat(read.usage()).isEqualTo(new TokenUsage(12, 5, 0, 0));
	}

	@Test
	void readWhenEventNameIsInvalidUtf8ThenNoException() {
		Read read = read(concat(utf8("event: thread.run."), new byte[] { (byte) 0xE2, (byte) 0x82 },
				utf8("\ndata: {\"id\":\"run_1\",\"usage\":{\"prompt_tokens\":1}}\n\n"), utf8(USAGE_CHUNK)));

		assertThat(read.runs()).isEmpty();
		assertThat(read.usage()).isEqualTo(new TokenUsage(12, 5, 0, 0));
	}

	@Test
	void feedWhenBufferGivenThenPositionUnchanged() {
		ByteBuffer heap = ByteBuffer.wrap(utf8(USAGE_CHUNK));
		ByteBuffer direct = ByteBuffer.allocateDirect(heap.remaining()).put(heap.duplicate()).flip();
		SseUsageParser first = new SseUsageParser();
		SseUsageParser second = new SseUsageParser();

		first.feed(heap);
		second.feed(direct.asReadOnlyBuffer());

		assertThat(heap.position()).isZero();
		assertThat(direct.position()).isZero();
		assertThat(first.usage()).isEqualTo(new TokenUsage(12, 5, 0, 0));
		assertThat(second.usage()).isEqualTo(new TokenUsage(12, 5, 0, 0));
	}

	@Test
	void feedWhenCalledAfterEndThenIgnored() {
		SseUsageParser parser = new SseUsageParser();
		parser.end();

		parser.feed(ByteBuffer.wrap(utf8(USAGE_CHUNK)));
		parser.end();

		assertThat(parser.usage()).isNull();
	}

	@Test
	void itemIdsWhenResponseStreamThenItemsOfAddedDoneAndCompletedEventsOnce() {
		byte[] stream = utf8(
				"""
						event: response.created
						data: {"type":"response.created","sequence_number":0,"response":{"id":"resp_1","status":"in_progress","output":[]}}

						event: response.output_item.added
						data: {"type":"response.output_item.added","output_index":0,"item":{"id":"rs_1","type":"reasoning"}}

						event: response.output_item.done
						data: {"type":"response.output_item.done","output_index":0,"item":{"id":"rs_1","type":"reasoning","summary":[{"id":"x"}]}}

						event: response.output_item.done
						data: {"type":"response.output_item.done","output_index":1,"item":{"id":"fc_3","type":"function_call","call_id":"call_3"}}

						event: response.output_text.delta
						data: {"type":"response.output_text.delta","item_id":"msg_2","delta":"Hi"}

						event: response.completed
						data: {"type":"response.completed","response":{"id":"resp_1","status":"completed","output":[{"id":"rs_1"},{"id":"msg_2","content":[{"id":"no"}]}],"usage":{"input_tokens":3,"output_tokens":4,"total_tokens":7}}}

						""");

		SseUsageParser parser = parsed(stream);

		assertThat(parser.itemIds()).containsExactly("rs_1", "fc_3", "call_3", "msg_2");
		assertThat(parser.createdIds()).containsExactly("resp_1");
		// Not a background response: its usage is the call's, not an object's.
		assertThat(parser.runningObjects()).isEmpty();
		assertThat(parser.endedObjects()).isEmpty();
		assertThat(parser.usage()).isEqualTo(new TokenUsage(3, 4, 0, 0));
	}

	@Test
	void backgroundEndWhenResumedStreamShowsOnlyTheEndThenTheResponsesUsage() {
		byte[] stream = utf8(
				"""
						event: response.output_text.done
						data: {"type":"response.output_text.done","sequence_number":7,"text":"Hi"}

						event: response.incomplete
						data: {"type":"response.incomplete","sequence_number":8,"response":{"id":"resp_9","background":true,"status":"incomplete","output":[],"usage":{"input_tokens":3,"output_tokens":4,"total_tokens":7}}}

						""");

		SseUsageParser parser = parsed(stream);

		assertThat(parser.runningObjects()).containsExactly(new RunningObject("resp_9", null, "incomplete"));
		assertThat(parser.endedObjects())
			.containsExactly(new ObjectUsage("resp_9", "incomplete", new TokenUsage(3, 4, 0, 0)));
	}

	private static SseUsageParser parsed(byte[] stream) {
		SseUsageParser parser = new SseUsageParser();
		parser.feed(ByteBuffer.wrap(stream));
		parser.end();
		return parser;
	}

	private static String runEvent(String status, String usage) {
		return "event: thread.run." + status + "\ndata: {\"id\":\"run_1\",\"object\":\"thread.run\",\"status\":\""
				+ status + "\",\"usage\":" + usage + "}\n\n";
	}

	private static Read read(byte[] stream) {
		return read(List.of(stream));
	}

	private static Read read(List<byte[]> chunks) {
		SseUsageParser parser = new SseUsageParser();
		chunks.forEach((chunk) -> parser.feed(ByteBuffer.wrap(chunk)));
		parser.end();
		return new Read(parser.usage(), parser.generatedCharacters(), List.copyOf(parser.endedObjects()),
				parser.done());
	}

	record Read(@Nullable TokenUsage usage, long generatedCharacters, List<ObjectUsage> runs, boolean done) {
	}

}
