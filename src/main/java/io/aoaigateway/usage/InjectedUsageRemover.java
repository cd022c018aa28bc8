package io.aoaigateway.usage;

import java.nio.ByteBuffer;
import java.util.Arrays;

import org.jspecify.annotations.Nullable;

/**
 * Undoes {@code stream_options.include_usage} on a chat completions stream when the
 * gateway, not the client, asked for it: the client gets exactly the bytes it would have
 * got without the option, while the usage is captured.
 * <p>
 * With the option, Azure adds a top-level {@code "usage":null} member to every chunk and
 * one more chunk, with {@code "choices":[]} and the usage, before {@code data: [DONE]}.
 * This class drops that chunk's event and removes the {@code "usage":null} members
 * textually; every other byte is forwarded as it came. Events are forwarded when their
 * blank line arrives, so an event split across network chunks is held back until it is
 * complete.
 * <p>
 * Not thread-safe: one instance per response, fed in order. Never throws.
 *
 * @see <a href=
 * "https://learn.microsoft.com/azure/ai-services/openai/reference-preview#chatcompletionstreamoptions">chatCompletionStreamOptions</a>
 */
public final class InjectedUsageRemover {

	/**
	 * Most bytes held back for one event. A larger event is forwarded as it comes,
	 * unedited (the usage parser skips it too).
	 */
	static final int MAX_HELD_BYTES = SseUsageParser.MAX_EVENT_BYTES + 64 * 1024;

	private static final int RETAINED_CAPACITY = 64 * 1024;

	private static final byte[] NOTHING = new byte[0];

	private static final byte[] LINE_FEED = { '\n' };

	private final SseUsageParser parser = new SseUsageParser();

	private byte[] held = new byte[1024];

	private int heldLength;

	private boolean atLineStart = true;

	private boolean afterCarriageReturn;

	/**
	 * The event outgrew {@link #MAX_HELD_BYTES} and is forwarded unedited as it comes.
	 */
	private boolean passThrough;

	/** A dropped event ended with CR; the LF that may complete that CRLF goes with it. */
	private boolean dropLineFeed;

	private boolean finished;

	/**
	 * Creates a remover for one stream.
	 */
	public InjectedUsageRemover() {
	}

	/**
	 * Takes the next network chunk and returns what to forward now: every event this
	 * chunk completed, rewritten. The chunk's position and limit are left as they were.
	 * @param chunk the next bytes from the backend
	 * @return the bytes to send to the client now, possibly none
	 */
	public byte[] rewrite(ByteBuffer chunk) {
		if (this.finished) {
			return NOTHING;
		}
		ByteBuffer source = chunk.duplicate();
		Output out = new Output(source.remaining());
		while (source.hasRemaining()) {
			take(source.get(), out);
		}
		if (this.passThrough) {
			forwardHeld(out);
		}
		return out.toByteArray();
	}

	/**
	 * Ends the stream: an event still held back (the stream ended inside it) is returned
	 * as it came.
	 * @return the bytes still to send to the client, possibly none
	 */
	public byte[] finish() {
		if (this.finished) {
			return NOTHING;
		}
		this.finished = true;
		Output out = new Output(this.heldLength);
		forwardHeld(out);
		this.parser.end();
		this.held = NOTHING;
		return out.toByteArray();
	}

	/**
	 * The parser that reads the backend's original bytes.
	 * @return the parser, for usage and generated text
	 */
	public SseUsageParser parser() {
		return this.parser;
	}

	/**
	 * The usage the backend reported, once its chunk has passed.
	 * @return the usage, or {@code null} when none arrived
	 */
	public @Nullable TokenUsage usage() {
		return this.parser.usage();
	}

	/**
	 * Characters of generated text seen so far.
	 * @return the number of characters
	 * @see SseUsageParser#generatedCharacters()
	 */
	public long generatedCharacters() {
		return this.parser.generatedCharacters();
	}

	/**
	 * Whether the stream sent its {@code data: [DONE]} event.
	 * @return {@code true} once {@code [DONE]} has passed
	 */
	public boolean done() {
		return this.parser.done();
	}

	private void take(byte b, Output out) {
		if (this.afterCarriageReturn && b == '\n') {
			this.afterCarriageReturn = false;
			if (this.heldLength == 0) {
				// The LF of the CRLF that ended the last event: it goes where that event
				// went.
				this.parser.feed(ByteBuffer.wrap(LINE_FEED));
				if (!this.dropLineFeed) {
					out.write(LINE_FEED, 0, 1);
				}
				this.dropLineFeed = false;
				return;
			}
			// The LF of a CRLF inside an event: same line ending, already acted on at the
			// CR.
			hold(b);
			return;
		}
		this.afterCarriageReturn = false;
		this.dropLineFeed = false;
		hold(b);
		if (b == '\r' || b == '\n') {
			this.afterCarriageReturn = b == '\r';
			if (this.atLineStart) {
				completeEvent(out);
			}
			this.atLineStart = true;
		}
		else {
			this.atLineStart = false;
			if (!this.passThrough && this.heldLength > MAX_HELD_BYTES) {
				this.passThrough = true;
			}
		}
	}

	private void hold(byte b) {
		if (this.heldLength == this.held.length) {
			this.held = Arrays.copyOf(this.held, Math.max(1024, this.held.length * 2));
		}
		this.held[this.heldLength++] = b;
	}

	private void forwardHeld(Output out) {
		this.parser.feed(ByteBuffer.wrap(this.held, 0, this.heldLength));
		out.write(this.held, 0, this.heldLength);
		clearHeld();
	}

	private void clearHeld() {
		this.heldLength = 0;
		if (this.held.length > RETAINED_CAPACITY) {
			this.held = new byte[1024];
		}
	}

	private void completeEvent(Output out) {
		if (this.passThrough) {
			this.passThrough = false;
			forwardHeld(out);
			return;
		}
		long before = this.parser.dispatchedEvents();
		this.parser.feed(ByteBuffer.wrap(this.held, 0, this.heldLength));
		EventData event = (this.parser.dispatchedEvents() == before + 1) ? this.parser.lastEvent() : null;
		int dataStart = (event != null && event.complete && event.roots == 1) ? chatChunkDataStart() : -1;
		try {
			if (event != null && dataStart >= 0) {
				if ((event.usage != null || event.usageUnusable) && event.emptyChoices) {
					// The chunk include_usage added: the client never asked for it.
					this.dropLineFeed = this.held[this.heldLength - 1] == '\r';
					return;
				}
				if (event.usageNullStart >= 0) {
					writeWithoutUsageNull(event, dataStart, out);
					return;
				}
			}
			out.write(this.held, 0, this.heldLength);
		}
		finally {
			clearHeld();
		}
	}

	private void writeWithoutUsageNull(EventData event, int dataStart, Output out) {
		int start = dataStart + event.usageNullStart;
		int end = dataStart + event.usageNullEnd;
		int before = start;
		while (before > dataStart && isBlank(this.held[before - 1])) {
			before--;
		}
		if (before > dataStart && this.held[before - 1] == ',') {
			// Middle or last member: take the comma before it.
			start = before - 1;
		}
		else {
			// First member: take the comma after it, and the blanks up to the next
			// member.
			int after = end;
			while (after < this.heldLength && isBlank(this.held[after])) {
				after++;
			}
			if (after < this.heldLength && this.held[after] == ',') {
				after++;
				while (after < this.heldLength && isBlank(this.held[after])) {
					after++;
				}
				end = after;
			}
		}
		out.write(this.held, 0, start);
		out.write(this.held, end, this.heldLength - end);
	}

	/**
	 * Where the data of a chat chunk starts. Only data-only events with a single data
	 * line are edited: that is how Azure sends chat chunks, it keeps the data's offsets a
	 * plain shift of the event's, and named events (Assistants runs carry their own
	 * {@code "usage":null}) are not the option's doing.
	 * @return the offset in {@code held}, or -1 when the event is not to be edited
	 */
	private int chatChunkDataStart() {
		int found = -1;
		int lineStart = 0;
		while (lineStart < this.heldLength) {
			int lineEnd = lineStart;
			while (lineEnd < this.heldLength && this.held[lineEnd] != '\r' && this.held[lineEnd] != '\n') {
				lineEnd++;
			}
			if (isField(lineStart, lineEnd, "event")) {
				return -1;
			}
			if (isField(lineStart, lineEnd, "data")) {
				if (found >= 0) {
					return -1;
				}
				int valueStart = lineStart + 5;
				found = (valueStart < lineEnd && this.held[valueStart] == ' ') ? valueStart + 1 : valueStart;
			}
			lineStart = lineEnd + 1;
		}
		return found;
	}

	private boolean isField(int start, int end, String name) {
		int length = name.length();
		if (end - start < length) {
			return false;
		}
		for (int index = 0; index < length; index++) {
			if (this.held[start + index] != name.charAt(index)) {
				return false;
			}
		}
		return end - start == length || this.held[start + length] == ':';
	}

	private static boolean isBlank(byte b) {
		return b == ' ' || b == '\t';
	}

	/** A growable byte array for one call's output. */
	private static final class Output {

		private byte[] bytes;

		private int length;

		Output(int expected) {
			this.bytes = new byte[Math.max(16, expected)];
		}

		void write(byte[] source, int offset, int count) {
			if (count <= 0) {
				return;
			}
			if (this.length + count > this.bytes.length) {
				this.bytes = Arrays.copyOf(this.bytes, Math.max(this.length + count, this.bytes.length * 2));
			}
			System.arraycopy(source, offset, this.bytes, this.length, count);
			this.length += count;
		}

		byte[] toByteArray() {
			return (this.length == 0) ? NOTHING : Arrays.copyOf(this.bytes, this.length);
		}

	}

}
