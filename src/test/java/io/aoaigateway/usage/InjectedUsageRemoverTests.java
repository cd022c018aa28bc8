package io.aoaigateway.usage;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import static io.aoaigateway.usage.UsageFixtures.recorded;
import static io.aoaigateway.usage.UsageFixtures.splits;
import static io.aoaigateway.usage.UsageFixtures.utf8;
import static io.aoaigateway.usage.UsageFixtures.withLineEndings;
import static org.assertj.core.api.Assertions.assertThat;

class InjectedUsageRemoverTests {

	private static final String USAGE_CHUNK = "data: {\"id\":\"c\",\"choices\":[],\"usage\":{\"prompt_tokens\":12,"
			+ "\"completion_tokens\":5,\"total_tokens\":17}}\n\n";

	@Test
	void rewriteWhenSimulatorStreamWithIncludeUsageThenClientStreamWithoutIt() {
		InjectedUsageRemover remover = new InjectedUsageRemover();

		String forwarded = rewrite(remover, List.of(recorded("chat-stream-include-usage.sse")));

		assertThat(forwarded).isEqualTo(text(recorded("chat-stream.sse")));
		assertThat(remover.usage()).isEqualTo(new TokenUsage(10, 4, 0, 0));
		assertThat(remover.generatedCharacters()).isEqualTo("This is a simulated".length());
		assertThat(remover.done()).isTrue();
	}

	@Test
	void rewriteWhenHandWrittenVariantsThenClientStreamWithoutIncludeUsage() {
		InjectedUsageRemover remover = new InjectedUsageRemover();

		String forwarded = rewrite(remover, List.of(recorded("chat-stream-variants-include-usage.sse")));

		assertThat(forwarded).isEqualTo(text(recorded("chat-stream-variants.sse")));
		assertThat(remover.usage()).isEqualTo(new TokenUsage(12, 5, 3, 1));
		assertThat(remover.parser().done()).isTrue();
	}

	@ParameterizedTest
	@ValueSource(strings = { "chat-stream", "chat-stream-variants" })
	void rewriteWhenStreamSplitAnywhereThenSameBytesAndUsage(String recording) {
		byte[] with = recorded(recording + "-include-usage.sse");
		String without = text(recorded(recording + ".sse"));

		for (List<byte[]> split : splits(with)) {
			InjectedUsageRemover remover = new InjectedUsageRemover();

			assertThat(rewrite(remover, split))
				.as("split into %d chunks, first %d bytes", split.size(), split.get(0).length)
				.isEqualTo(without);
			assertThat(remover.usage()).isNotNull();
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "\r\n", "\r" })
	void rewriteWhenOtherLineEndingsAndSplitAnywhereThenSameBytes(String ending) {
		byte[] with = withLineEndings(recorded("chat-stream-include-usage.sse"), ending);
		String without = text(withLineEndings(recorded("chat-stream.sse"), ending));

		for (List<byte[]> split : splits(with)) {
			InjectedUsageRemover remover = new InjectedUsageRemover();

			assertThat(rewrite(remover, split)).isEqualTo(without);
			assertThat(remover.usage()).isEqualTo(new TokenUsage(10, 4, 0, 0));
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "chat-stream.sse", "chat-stream-variants.sse", "completions-stream.sse",
			"assistants-run-stream.sse", "responses-stream.sse" })
	void rewriteWhenStreamCarriesNoInjectedUsageThenBytesUnchanged(String recording) {
		byte[] stream = recorded(recording);

		assertThat(rewrite(new InjectedUsageRemover(), List.of(stream))).isEqualTo(text(stream));
	}

	@ParameterizedTest
	@MethodSource("io.aoaigateway.usage.UsageFixtures#unusableUsages")
	void rewriteWhenInjectedUsageUnusableThenStillRemovedAndUsageNull(String usage) {
		String content = "data: {\"id\":\"c\",\"choices\":[{\"delta\":{\"content\":\"Hi\"}}],\"usage\":null}\n\n";
		byte[] with = utf8(content + "data: {\"id\":\"c\",\"choices\":[],\"usage\":" + usage + "}\n\ndata: [DONE]\n\n");
		String without = "data: {\"id\":\"c\",\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\ndata: [DONE]\n\n";

		for (List<byte[]> split : splits(with)) {
			InjectedUsageRemover remover = new InjectedUsageRemover();

			assertThat(rewrite(remover, split)).isEqualTo(without);
			assertThat(remover.usage()).isNull();
			assertThat(remover.generatedCharacters()).isEqualTo(2);
		}
	}

	@Test
	void rewriteWhenEventIncompleteThenHeldBackUntilItsBlankLine() {
		InjectedUsageRemover remover = new InjectedUsageRemover();

		byte[] first = remover.rewrite(ByteBuffer.wrap(utf8("data: {\"choices\":[{}],\"usage\":null}\n")));
		byte[] second = remover.rewrite(ByteBuffer.wrap(utf8("\ndata: [DO")));
		byte[] third = remover.rewrite(ByteBuffer.wrap(utf8("NE]\n\n")));

		assertThat(first).isEmpty();
		assertThat(text(second)).isEqualTo("data: {\"choices\":[{}]}\n\n");
		assertThat(text(third)).isEqualTo("data: [DONE]\n\n");
		assertThat(remover.finish()).isEmpty();
		assertThat(remover.done()).isTrue();
	}

	@Test
	void finishWhenStreamEndsInsideEventThenHeldBytesForwardedAsTheyCame() {
		InjectedUsageRemover remover = new InjectedUsageRemover();
		String partial = "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3}}";

		byte[] now = remover.rewrite(ByteBuffer.wrap(utf8(partial)));
		byte[] rest = remover.finish();

		assertThat(now).isEmpty();
		assertThat(text(rest)).isEqualTo(partial);
		assertThat(remover.usage()).isEqualTo(new TokenUsage(3, 0, 0, 0));
	}

	@Test
	void rewriteWhenUsageNullIsOnlyMemberOrSpacedThenRemovedWithOneComma() {
		String with = "data: {\"usage\":null}\n\ndata: { \"a\":1 ,\t\"usage\" :\tnull , \"b\":2 }\n\n"
				+ "data: {\"usage\": null, \"a\":1}\n\ndata: {\"a\":[1,2], \"usage\":null}\n\n";
		String without = "data: {}\n\ndata: { \"a\":1  , \"b\":2 }\n\ndata: {\"a\":1}\n\ndata: {\"a\":[1,2]}\n\n";

		assertThat(rewrite(new InjectedUsageRemover(), List.of(utf8(with)))).isEqualTo(without);
	}

	@Test
	void rewriteWhenUsageNullNotTopLevelOrInsideStringThenUnchanged() {
		String stream = "data: {\"choices\":[{\"usage\":null}],\"x\":\"\\\"usage\\\":null\"}\n\n"
				+ "data: {\"choices\":[],\"metadata\":{\"usage\":{\"prompt_tokens\":1}}}\n\n"
				+ "data: {\"choices\":[{}],\"usage\":{\"prompt_tokens\":1}}\n\n";

		assertThat(rewrite(new InjectedUsageRemover(), List.of(utf8(stream)))).isEqualTo(stream);
	}

	@Test
	void rewriteWhenDataSpansSeveralLinesOrIsBrokenThenForwardedUnchanged() {
		String stream = "data: {\"choices\":[{}],\ndata: \"usage\":null}\n\n"
				+ "data: {\"choices\":[],\"usage\":null\n\n"
				+ "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":1}} trailing\n\n";

		assertThat(rewrite(new InjectedUsageRemover(), List.of(utf8(stream)))).isEqualTo(stream);
	}

	@Test
	void rewriteWhenEventExceedsHoldLimitThenForwardedAsItComesAndLaterEventsStillRewritten() {
		String huge = "data: {\"choices\":[{\"delta\":{\"content\":\"" + "x".repeat(InjectedUsageRemover.MAX_HELD_BYTES)
				+ "\"}}],\"usage\":null}\n\n";
		InjectedUsageRemover remover = new InjectedUsageRemover();

		byte[] first = remover.rewrite(ByteBuffer.wrap(utf8(huge.substring(0, huge.length() - 20))));
		String rest = rewrite(remover, List.of(utf8(huge.substring(huge.length() - 20) + USAGE_CHUNK)));

		assertThat(first).hasSize(huge.length() - 20);
		assertThat(text(first) + rest).isEqualTo(huge);
		assertThat(remover.usage()).isEqualTo(new TokenUsage(12, 5, 0, 0));
	}

	@Test
	void rewriteWhenBufferGivenThenPositionUnchanged() {
		ByteBuffer chunk = ByteBuffer.wrap(utf8(USAGE_CHUNK));

		new InjectedUsageRemover().rewrite(chunk);

		assertThat(chunk.position()).isZero();
	}

	private static String rewrite(InjectedUsageRemover remover, List<byte[]> chunks) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		chunks.forEach((chunk) -> out.writeBytes(remover.rewrite(ByteBuffer.wrap(chunk))));
		out.writeBytes(remover.finish());
		return out.toString(StandardCharsets.UTF_8);
	}

	private static String text(byte[] bytes) {
		return new String(bytes, StandardCharsets.UTF_8);
	}

}
