package io.aoaigateway.usage;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.aoaigateway.usage.UsageFixtures.concat;
import static io.aoaigateway.usage.UsageFixtures.recorded;
import static io.aoaigateway.usage.UsageFixtures.sameForEverySplit;
import static io.aoaigateway.usage.UsageFixtures.utf8;
import static io.aoaigateway.usage.UsageFixtures.withLineEndings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

class SseEventReaderTests {

	@ParameterizedTest
	@ValueSource(strings = { "chat-stream-include-usage.sse", "responses-stream.sse", "assistants-run-stream.sse",
			"chat-stream-variants-include-usage.sse" })
	void feedWhenRecordingSplitAtEveryOffsetThenSameEventsAndEveryByteOnce(String recording) {
		byte[] stream = recorded(recording);

		Read read = sameForEverySplit(stream, SseEventReaderTests::read);

		assertThat(read.passedOn()).isEqualTo(latin1(stream));
		assertThat(read.dataEvents()).extracting(Seen::data).containsExactlyElementsOf(dataLines(stream));
		assertThat(read.dataEvents()).allSatisfy((seen) -> assertThat(seen.closed()).isTrue());
	}

	@Test
	void feedWhenAzureChatStreamThenOneEventPerChunkWithItsOwnBytes() {
		byte[] stream = recorded("chat-stream-include-usage.sse");

		Read read = read(List.of(stream));

		List<String> events = Arrays.asList(latin1(stream).split("(?<=\n\n)"));
		assertThat(read.events()).extracting(Seen::raw).containsExactlyElementsOf(events);
		assertThat(read.events()).allSatisfy((seen) -> {
			assertThat(seen.dataLines()).isEqualTo(1);
			assertThat(seen.named()).isFalse();
		});
		assertThat(read.events().get(read.events().size() - 1).data()).isEqualTo("[DONE]");
	}

	@Test
	void feedWhenResponsesStreamThenEachEventCarriesItsName() {
		byte[] stream = recorded("responses-stream.sse");

		Read read = sameForEverySplit(stream, SseEventReaderTests::read);

		List<String> names = latin1(stream).lines()
			.filter((line) -> line.startsWith("event: "))
			.map((line) -> line.substring("event: ".length()))
			.toList();
		assertThat(read.dataEvents()).extracting(Seen::name).containsExactlyElementsOf(names);
		assertThat(names).contains("response.created", "response.output_text.delta", "response.completed");
	}

	@ParameterizedTest
	@ValueSource(strings = { "\r\n", "\r" })
	void feedWhenLinesEndWithCrLfOrCrThenSameDataAndEveryByteOnce(String ending) {
		byte[] lf = recorded("responses-stream.sse");
		byte[] other = withLineEndings(lf, ending);

		Read expected = read(List.of(lf));
		Read read = sameForEverySplit(other, SseEventReaderTests::read);

		assertThat(read.passedOn()).isEqualTo(latin1(other));
		assertThat(read.dataEvents()).extracting(Seen::data, Seen::name)
			.containsExactlyElementsOf(expected.dataEvents().stream().map(SseEventReaderTests::dataAndName).toList());
		assertThat(read.events()).allSatisfy((seen) -> assertThat(seen.raw()).doesNotStartWith("\n"));
		assertThat(read.events()).hasSize(expected.events().size());
	}

	@Test
	void feedWhenCrLfClosesAnEventThenItsLineFeedComesAfterIt() {
		Read read = sameForEverySplit(utf8("data: a\r\n\r\ndata: b\r\n\r\n"), SseEventReaderTests::read);

		assertThat(read.seen()).containsExactly("event data: a\r\n\r", "lf", "event data: b\r\n\r", "lf");
	}

	@Test
	void feedWhenCommentsOtherFieldsAndBareNamesThenOnlyDataAndEventRead() {
		String stream = ": keep-alive\n\n:data: {\"not\":1}\nid: 7\nretry: 1000\ndatum: x\nevent\ndata\n\n"
				+ "eventx: y\nevent: first\nevent: second\ndata:no-space\ndata:  two spaces\n\n";

		Read read = sameForEverySplit(utf8(stream), SseEventReaderTests::read);

		assertThat(read.events()).extracting(Seen::raw)
			.containsExactly(": keep-alive\n\n", ":data: {\"not\":1}\nid: 7\nretry: 1000\ndatum: x\nevent\ndata\n\n",
					"eventx: y\nevent: first\nevent: second\ndata:no-space\ndata:  two spaces\n\n");
		assertThat(read.events()).extracting(Seen::dataLines).containsExactly(0, 1, 2);
		assertThat(read.events()).extracting(Seen::data).containsExactly("", "", "no-space\n two spaces");
		assertThat(read.events()).extracting(Seen::named).containsExactly(false, true, true);
		assertThat(read.events()).extracting(Seen::name).containsExactly("", "", "second");
	}

	@Test
	void feedWhenBlankLinesRepeatThenEachIsAnEventWithoutData() {
		Read read = sameForEverySplit(utf8("\n\ndata: a\n\n\n"), SseEventReaderTests::read);

		assertThat(read.seen()).containsExactly("event \n", "event \n", "event data: a\n\n", "event \n");
		assertThat(read.dataEvents()).extracting(Seen::data).containsExactly("a");
	}

	@Test
	void endWhenStreamEndsInsideAnEventThenItComesNotClosed() {
		Read read = sameForEverySplit(utf8("data: a\n\ndata: {\"b\":\ndata: 1}"), SseEventReaderTests::read);

		assertThat(read.events()).extracting(Seen::raw, Seen::data, Seen::closed)
			.containsExactly(tuple("data: a\n\n", "a", true), tuple("data: {\"b\":\ndata: 1}", "{\"b\":\n1}", false));
	}

	@Test
	void feedWhenCalledAfterEndThenIgnored() {
		Recorder recorder = new Recorder();
		SseEventReader reader = new SseEventReader(recorder);
		reader.end();

		reader.feed(ByteBuffer.wrap(utf8("data: a\n\n")));
		reader.end();

		assertThat(recorder.seen).isEmpty();
	}

	@Test
	void feedWhenDirectOrReadOnlyBufferThenSameEventsAndPositionUnchanged() {
		byte[] stream = recorded("responses-stream.sse");
		ByteBuffer direct = ByteBuffer.allocateDirect(stream.length).put(stream).flip();
		Recorder first = new Recorder();
		Recorder second = new Recorder();
		SseEventReader fromDirect = new SseEventReader(first);
		SseEventReader fromReadOnly = new SseEventReader(second);

		fromDirect.feed(direct);
		fromReadOnly.feed(ByteBuffer.wrap(stream).asReadOnlyBuffer());

		assertThat(direct.position()).isZero();
		assertThat(first.read()).isEqualTo(read(List.of(stream)));
		assertThat(second.read()).isEqualTo(read(List.of(stream)));
	}

	@Test
	void feedWhenEventFitsInOneChunkThenHandedOverAsAViewOfThatChunk() {
		byte[] chunk = utf8("data: {\"a\":1}\n\n");
		List<Boolean> sameArray = new ArrayList<>();
		SseEventReader reader = new SseEventReader(
				(event) -> sameArray.add(event.raw() == chunk && event.data() == chunk && event.dataOffset() == 6));

		reader.feed(ByteBuffer.wrap(chunk));

		assertThat(sameArray).containsExactly(true);
	}

	@Test
	void feedWhenDataExceedsItsLimitThenEventComesWithoutDataAndNextEventIsRead() {
		String huge = "data: " + "x".repeat(SseEventReader.MAX_DATA_BYTES + 1) + "\n\n";
		String atLimit = "data: " + "y".repeat(SseEventReader.MAX_DATA_BYTES - 2) + "\ndata: z\n\n";

		Read read = read(chunks(utf8(huge + atLimit + "data: next\n\n"), 64 * 1024));

		assertThat(read.events()).extracting(Seen::dataTooLarge).containsExactly(true, false, false);
		assertThat(read.events().get(0).data()).isEmpty();
		assertThat(read.events().get(1).data()).hasSize(SseEventReader.MAX_DATA_BYTES).endsWith("y\nz");
		assertThat(read.events().get(2).data()).isEqualTo("next");
	}

	@Test
	void feedWhenEventOutgrowsHoldLimitThenItsBytesPassAsTheyComeAndItsDataIsStillRead() {
		String comments = ": pad\n".repeat((SseEventReader.MAX_HELD_BYTES + 128 * 1024) / 6);
		byte[] big = utf8("event: big\ndata: {\"a\":\ndata: 1}\n" + comments + "data: end\n\n");
		byte[] next = utf8("data: next\n\n");
		List<byte[]> chunks = chunks(concat(big, next), 64 * 1024);
		Recorder recorder = new Recorder();
		SseEventReader reader = new SseEventReader(recorder);
		int fed = 0;

		int index = 0;
		while (recorder.passedThrough == 0) {
			reader.feed(ByteBuffer.wrap(chunks.get(index)));
			fed += chunks.get(index++).length;
		}
		int passedWhileOpen = recorder.passedThrough;
		boolean openThen = recorder.events.isEmpty();
		chunks.subList(index, chunks.size()).forEach((chunk) -> reader.feed(ByteBuffer.wrap(chunk)));
		reader.end();
		Read read = recorder.read();

		assertThat(fed).isGreaterThan(SseEventReader.MAX_HELD_BYTES)
			.isLessThanOrEqualTo(SseEventReader.MAX_HELD_BYTES + 64 * 1024);
		assertThat(openThen).isTrue();
		assertThat(passedWhileOpen).isEqualTo(fed);
		assertThat(read.passedOn()).isEqualTo(latin1(concat(big, next)));
		assertThat(read.events()).extracting(Seen::raw, Seen::data, Seen::name)
			.containsExactly(tuple(null, "{\"a\":\n1}\nend", "big"), tuple("data: next\n\n", "next", ""));
	}

	@Test
	void feedWhenOneChunkHoldsAnEventOverTheHoldLimitThenItPassesThroughWhole() {
		String comments = ": pad\n".repeat(SseEventReader.MAX_HELD_BYTES / 6 + 1);
		byte[] big = utf8("data: {}\n" + comments + "\n");

		Read read = read(List.of(big));

		assertThat(read.seen()).hasSize(2);
		assertThat(read.passedOn()).isEqualTo(latin1(big));
		assertThat(read.events()).extracting(Seen::raw, Seen::data).containsExactly(tuple(null, "{}"));
	}

	@Test
	void feedWhenGarbageBytesThenEveryByteStillPassedOnOnce() {
		byte[] garbage = { (byte) 0xFF, (byte) 0xFE, 0, 7, '{', '\r', (byte) 0x80, '\n', '\r', '\r', '\n', ':' };
		// The last garbage line, ":", is a comment that the next line's bytes continue.
		byte[] stream = concat(garbage, utf8("\ndata: a\r\n\r\n"), garbage);

		Read read = sameForEverySplit(stream, SseEventReaderTests::read);

		assertThat(read.passedOn()).isEqualTo(latin1(stream));
		assertThat(read.dataEvents()).extracting(Seen::data).containsExactly("a");
	}

	private static Tuple dataAndName(Seen seen) {
		return tuple(seen.data(), seen.name());
	}

	private static List<String> dataLines(byte[] stream) {
		return new String(stream, StandardCharsets.UTF_8).lines()
			.filter((line) -> line.startsWith("data:"))
			.map((line) -> line.substring(line.startsWith("data: ") ? 6 : 5))
			.toList();
	}

	private static List<byte[]> chunks(byte[] bytes, int size) {
		List<byte[]> chunks = new ArrayList<>();
		for (int offset = 0; offset < bytes.length; offset += size) {
			chunks.add(Arrays.copyOfRange(bytes, offset, Math.min(bytes.length, offset + size)));
		}
		return chunks;
	}

	private static Read read(List<byte[]> chunks) {
		Recorder recorder = new Recorder();
		SseEventReader reader = new SseEventReader(recorder);
		chunks.forEach((chunk) -> reader.feed(ByteBuffer.wrap(chunk)));
		reader.end();
		return recorder.read();
	}

	// Bytes as one char each, so that any byte sequence compares exactly.
	private static String latin1(byte[] bytes) {
		return new String(bytes, StandardCharsets.ISO_8859_1);
	}

	private static String latin1(byte[] bytes, int offset, int length) {
		return new String(bytes, offset, length, StandardCharsets.ISO_8859_1);
	}

	/** What a listener was told, in order. */
	record Read(List<String> seen, List<Seen> events, String passedOn) {

		List<Seen> dataEvents() {
			return this.events.stream().filter((seen) -> seen.dataLines() > 0).toList();
		}

	}

	/** One event as the listener saw it; raw is null when it was passed through. */
	record Seen(String raw, String data, int dataLines, boolean dataTooLarge, boolean named, String name,
			boolean closed) {
	}

	private static final class Recorder implements SseEventReader.Listener {

		private final List<String> seen = new ArrayList<>();

		private final List<Seen> events = new ArrayList<>();

		private final ByteArrayOutputStream passedOn = new ByteArrayOutputStream();

		private int passedThrough;

		@Override
		public void event(SseEventReader.Event event) {
			byte[] raw = event.raw();
			String rawText = (raw != null) ? latin1(raw, event.rawOffset(), event.rawLength()) : null;
			if (raw != null) {
				this.passedOn.write(raw, event.rawOffset(), event.rawLength());
			}
			this.seen.add("event " + ((rawText != null) ? rawText : "(passed through)"));
			this.events.add(new Seen(rawText,
					new String(event.data(), event.dataOffset(), event.dataLength(), StandardCharsets.UTF_8),
					event.dataLines(), event.dataTooLarge(), event.named(), event.name(), event.closed()));
		}

		@Override
		public void lineFeedAfterEvent() {
			this.seen.add("lf");
			this.passedOn.write('\n');
		}

		@Override
		public void passedThrough(byte[] bytes, int offset, int length) {
			// Chunks may split passed-through bytes anywhere: one entry per event.
			if (this.seen.isEmpty() || !this.seen.get(this.seen.size() - 1).equals("passed")) {
				this.seen.add("passed");
			}
			this.passedOn.write(bytes, offset, length);
			this.passedThrough += length;
		}

		Read read() {
			return new Read(List.copyOf(this.seen), List.copyOf(this.events),
					this.passedOn.toString(StandardCharsets.ISO_8859_1));
		}

	}

}
