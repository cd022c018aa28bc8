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
 * textually; every other byte is forwarded as it came. Events are framed by an
 * {@link SseEventReader} whose events the usage parser reads too, and forwarded when
 * their blank line arrives, so an event split across network chunks is held back until it
 * is complete.
 * <p>
 * Not thread-safe: one instance per response, fed in order. Never throws.
 *
 * @see <a href=
 * "https://learn.microsoft.com/azure/ai-services/openai/reference-preview#chatcompletionstreamoptions">chatCompletionStreamOptions</a>
 */
public final class InjectedUsageRemover {

	/**
	 * Most bytes held back for one event. A larger event is forwarded as it comes,
	 * unedited (the usage parser skips it too when its data is that large).
	 */
	static final int MAX_HELD_BYTES = SseEventReader.MAX_HELD_BYTES;

	private static final byte[] NOTHING = new byte[0];

	private static final byte[] LINE_FEED = { '\n' };

	private final SseUsageParser parser = new SseUsageParser();

	private final SseEventReader reader = new SseEventReader(new Editor());

	private final Output out = new Output();

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
		this.reader.feed(chunk);
		return this.out.take();
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
		this.reader.end();
		this.parser.end();
		byte[] rest = this.out.take();
		this.out.release();
		return rest;
	}

	/**
	 * The parser that reads the backend's original events.
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

	private void edit(SseEventReader.Event event) {
		EventData read = this.parser.read(event);
		this.dropLineFeed = false;
		byte[] raw = event.raw();
		if (raw == null) {
			// Too large to hold: already forwarded as it came.
			return;
		}
		if (read != null && isChatChunk(event, raw) && read.complete && read.roots == 1) {
			if ((read.usage != null || read.usageUnusable) && read.emptyChoices) {
				// The chunk include_usage added: the client never asked for it.
				this.dropLineFeed = raw[event.rawOffset() + event.rawLength() - 1] == '\r';
				return;
			}
			if (read.usageNullStart >= 0) {
				writeWithoutUsageNull(event, raw, read);
				return;
			}
		}
		this.out.write(raw, event.rawOffset(), event.rawLength());
	}

	/**
	 * Whether the event is one to edit. Only closed, data-only events with a single data
	 * line are: that is how Azure sends chat chunks, it makes the data a plain slice of
	 * the event's bytes, and named events (Assistants runs carry their own
	 * {@code "usage":null}) are not the option's doing.
	 */
	private static boolean isChatChunk(SseEventReader.Event event, byte[] raw) {
		return event.closed() && !event.named() && event.dataLines() == 1 && event.data() == raw;
	}

	private void writeWithoutUsageNull(SseEventReader.Event event, byte[] raw, EventData read) {
		int dataStart = event.dataOffset();
		int rawStart = event.rawOffset();
		int rawEnd = rawStart + event.rawLength();
		int start = dataStart + read.usageNullStart;
		int end = dataStart + read.usageNullEnd;
		int before = start;
		while (before > dataStart && isBlank(raw[before - 1])) {
			before--;
		}
		if (before > dataStart && raw[before - 1] == ',') {
			// Middle or last member: take the comma before it.
			start = before - 1;
		}
		else {
			// First member: take the comma after it, and the blanks up to the next
			// member.
			int after = end;
			while (after < rawEnd && isBlank(raw[after])) {
				after++;
			}
			if (after < rawEnd && raw[after] == ',') {
				after++;
				while (after < rawEnd && isBlank(raw[after])) {
					after++;
				}
				end = after;
			}
		}
		this.out.write(raw, rawStart, start - rawStart);
		this.out.write(raw, end, rawEnd - end);
	}

	private static boolean isBlank(byte b) {
		return b == ' ' || b == '\t';
	}

	/** Forwards, edits or drops each event the reader frames. */
	private final class Editor implements SseEventReader.Listener {

		@Override
		public void event(SseEventReader.Event event) {
			edit(event);
		}

		@Override
		public void lineFeedAfterEvent() {
			// The LF of the CRLF that closed the last event: it goes where that event
			// went.
			if (!InjectedUsageRemover.this.dropLineFeed) {
				InjectedUsageRemover.this.out.write(LINE_FEED, 0, 1);
			}
			InjectedUsageRemover.this.dropLineFeed = false;
		}

		@Override
		public void passedThrough(byte[] bytes, int offset, int length) {
			InjectedUsageRemover.this.out.write(bytes, offset, length);
			InjectedUsageRemover.this.dropLineFeed = false;
		}

	}

	/** The bytes to forward from one call, in a buffer kept from call to call. */
	private static final class Output {

		private static final int RETAINED_CAPACITY = 64 * 1024;

		private byte[] bytes = NOTHING;

		private int length;

		void write(byte[] source, int offset, int count) {
			if (count <= 0) {
				return;
			}
			if (this.length + count > this.bytes.length) {
				this.bytes = Arrays.copyOf(this.bytes,
						Math.max(this.length + count, Math.max(1024, this.bytes.length * 2)));
			}
			System.arraycopy(source, offset, this.bytes, this.length, count);
			this.length += count;
		}

		byte[] take() {
			if (this.length == 0) {
				return NOTHING;
			}
			byte[] taken = Arrays.copyOf(this.bytes, this.length);
			this.length = 0;
			if (this.bytes.length > RETAINED_CAPACITY) {
				this.bytes = NOTHING;
			}
			return taken;
		}

		void release() {
			this.bytes = NOTHING;
			this.length = 0;
		}

	}

}
