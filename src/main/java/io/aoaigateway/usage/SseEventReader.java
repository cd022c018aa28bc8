package io.aoaigateway.usage;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.jspecify.annotations.Nullable;

/**
 * Splits a server-sent event stream into events as it passes, one network chunk at a
 * time, however the stream is split, and hands each complete event to a {@link Listener}:
 * its data, its name and, for whoever rewrites the stream, its raw bytes. The one place
 * where the gateway frames server-sent events.
 * <p>
 * Every byte of the stream reaches the listener exactly once: in the raw bytes of an
 * event (from the end of the previous event through its closing blank line, so a stray
 * blank line is an event of its own, without data), as the line feed of a CRLF whose CR
 * closed the previous event, or as bytes passed through as they come for an event too
 * large to hold. Lines end with CRLF, LF or CR; comments and fields other than
 * {@code data} and {@code event} are kept in the raw bytes and otherwise skipped.
 * <p>
 * Memory is bounded. An event's raw bytes are held across chunks up to
 * {@link #MAX_HELD_BYTES}; past that they are passed on as they come and the event
 * arrives without them. Its data is kept up to {@link #MAX_DATA_BYTES}; past that it
 * arrives marked too large, without data. An event that lies within one chunk is handed
 * over as a view into that chunk, not copied; only an event split across chunks, or whose
 * data spans several lines, is copied (a chunk without an accessible array, as Netty's
 * direct buffers are, is first read into a small scratch array, a piece at a time).
 * <p>
 * Not thread-safe: one instance per stream, fed in order.
 *
 * @see <a href=
 * "https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation">Interpreting
 * an event stream</a>
 */
final class SseEventReader {

	/** Most data bytes kept for one event (its lines joined with LF). */
	static final int MAX_DATA_BYTES = 1024 * 1024;

	/** Most raw bytes of one event held back across chunks. */
	static final int MAX_HELD_BYTES = MAX_DATA_BYTES + 64 * 1024;

	/** Longest event name kept; a longer one is cut. */
	static final int MAX_EVENT_NAME = 256;

	// Only "data" and "event" are told apart; a longer field name is some other field.
	private static final int MAX_FIELD_NAME = 8;

	// A buffer that grew for one large event is dropped afterwards rather than kept for
	// the rest of a long stream.
	private static final int RETAINED_CAPACITY = 64 * 1024;

	private static final int SCRATCH_SIZE = 8192;

	private static final byte[] NOTHING = new byte[0];

	private static final byte[] LINE_FEED = { '\n' };

	private final Listener listener;

	private final Event event = new Event();

	private final byte[] fieldName = new byte[MAX_FIELD_NAME];

	private final byte[] name = new byte[MAX_EVENT_NAME];

	/** The chunk being read, and where the current event's bytes in it begin. */
	private byte[] chunk = NOTHING;

	private int chunkStart;

	/** The current event's raw bytes from earlier chunks. */
	private byte[] carry = NOTHING;

	private int carryLength;

	/**
	 * The current event outgrew {@link #MAX_HELD_BYTES}: its bytes go on as they come.
	 */
	private boolean passingThrough;

	private byte @Nullable [] scratch;

	private LineState lineState = LineState.FIELD;

	private int fieldNameLength;

	private Field field = Field.OTHER;

	private boolean lineEmpty = true;

	private boolean afterCarriageReturn;

	private boolean closedByCarriageReturn;

	/** Where the value of the current data line starts, as a position in the event. */
	private int valueStart;

	private int dataLines;

	private long dataLength;

	/** Where the only data line's value lies, as positions in the event. */
	private int dataStart;

	private int dataEnd;

	/**
	 * Whether the data is copied as it comes: it spans lines, or the event is not held.
	 */
	private boolean joining;

	private byte[] joined = NOTHING;

	private int joinedLength;

	private boolean named;

	private int nameLength;

	private boolean ended;

	/**
	 * Creates a reader for one stream.
	 * @param listener told of each event as its blank line arrives
	 */
	SseEventReader(Listener listener) {
		this.listener = listener;
	}

	/**
	 * Reads the next chunk of the stream; every event it completes is handed over before
	 * this returns. The chunk's position and limit are left as they were.
	 * @param buffer the next bytes of the stream
	 */
	void feed(ByteBuffer buffer) {
		if (this.ended) {
			return;
		}
		ByteBuffer source = buffer.duplicate();
		if (source.hasArray()) {
			read(source.array(), source.arrayOffset() + source.position(), source.remaining());
			return;
		}
		byte[] bytes = scratch(source.remaining());
		while (source.hasRemaining()) {
			int length = Math.min(source.remaining(), bytes.length);
			source.get(bytes, 0, length);
			read(bytes, 0, length);
		}
	}

	/**
	 * Ends the stream: an event still pending is handed over, marked as not closed, as if
	 * a blank line had followed it. Later chunks are ignored.
	 */
	void end() {
		if (this.ended) {
			return;
		}
		this.ended = true;
		this.chunk = NOTHING;
		this.chunkStart = 0;
		try {
			if (!this.lineEmpty) {
				endOfLine(0);
			}
			if (this.carryLength > 0 || this.passingThrough) {
				dispatch(0, false);
			}
		}
		finally {
			this.carry = NOTHING;
			this.joined = NOTHING;
			this.scratch = null;
		}
	}

	private byte[] scratch(int wanted) {
		byte[] bytes = this.scratch;
		if (bytes == null || bytes.length < Math.min(wanted, SCRATCH_SIZE)) {
			bytes = new byte[Math.max(64, Math.min(wanted, SCRATCH_SIZE))];
			this.scratch = bytes;
		}
		return bytes;
	}

	private void read(byte[] bytes, int offset, int length) {
		this.chunk = bytes;
		this.chunkStart = offset;
		int end = offset + length;
		int index = offset;
		while (index < end) {
			byte b = bytes[index];
			if (this.afterCarriageReturn) {
				this.afterCarriageReturn = false;
				if (b == '\n') {
					if (this.closedByCarriageReturn) {
						this.closedByCarriageReturn = false;
						this.chunkStart = index + 1;
						this.listener.lineFeedAfterEvent();
					}
					index++;
					continue;
				}
			}
			this.closedByCarriageReturn = false;
			if (b == '\r' || b == '\n') {
				this.afterCarriageReturn = b == '\r';
				this.closedByCarriageReturn = endOfLine(index) && b == '\r';
				index++;
				continue;
			}
			this.lineEmpty = false;
			switch (this.lineState) {
				case FIELD -> {
					fieldByte(b, index);
					index++;
				}
				case VALUE_START -> {
					this.lineState = LineState.VALUE;
					if (b == ' ') {
						index++;
						this.valueStart = position(index);
					}
				}
				case VALUE -> index = value(bytes, index, end);
				case IGNORE -> index = lineEnd(bytes, index, end);
			}
		}
		endOfChunk(end);
		this.chunk = NOTHING;
	}

	// Where a byte of the chunk being read lies in the current event.
	private int position(int index) {
		return this.carryLength + index - this.chunkStart;
	}

	private void fieldByte(byte b, int index) {
		if (b != ':') {
			if (this.fieldNameLength < MAX_FIELD_NAME) {
				this.fieldName[this.fieldNameLength] = b;
			}
			if (this.fieldNameLength <= MAX_FIELD_NAME) {
				this.fieldNameLength++;
			}
			return;
		}
		if (this.fieldNameLength == 0) {
			// A comment.
			this.lineState = LineState.IGNORE;
			return;
		}
		startValue(index + 1);
		this.lineState = (this.field == Field.OTHER) ? LineState.IGNORE : LineState.VALUE_START;
	}

	private void startValue(int index) {
		Field started = field();
		if (started == Field.DATA) {
			if (this.dataLines > 0) {
				if (!this.joining) {
					startJoining(0);
				}
				addData(LINE_FEED, 0, 1);
			}
			this.dataLines++;
			this.valueStart = position(index);
		}
		else if (started == Field.EVENT) {
			this.named = true;
			this.nameLength = 0;
		}
		this.field = started;
	}

	private Field field() {
		if (is("data")) {
			return Field.DATA;
		}
		return is("event") ? Field.EVENT : Field.OTHER;
	}

	private boolean is(String fieldName) {
		if (this.fieldNameLength != fieldName.length()) {
			return false;
		}
		for (int index = 0; index < this.fieldNameLength; index++) {
			if (this.fieldName[index] != fieldName.charAt(index)) {
				return false;
			}
		}
		return true;
	}

	// Takes the rest of the line's value in one go; returns where the line ends.
	private int value(byte[] bytes, int start, int end) {
		int index = lineEnd(bytes, start, end);
		if (this.field == Field.DATA) {
			addData(bytes, start, index - start);
		}
		else {
			int length = Math.min(index - start, MAX_EVENT_NAME - this.nameLength);
			System.arraycopy(bytes, start, this.name, this.nameLength, length);
			this.nameLength += length;
		}
		return index;
	}

	private static int lineEnd(byte[] bytes, int start, int end) {
		int index = start;
		while (index < end && bytes[index] != '\r' && bytes[index] != '\n') {
			index++;
		}
		return index;
	}

	private void addData(byte[] bytes, int offset, int length) {
		this.dataLength += length;
		if (this.joining) {
			join(bytes, offset, length);
		}
	}

	/**
	 * From now on the data is copied as it comes. What the event's data lines held so far
	 * is copied from the event's bytes.
	 * @param position where the bytes read so far end in the event, for a data line still
	 * being read
	 */
	private void startJoining(int position) {
		this.joining = true;
		if (this.dataLines == 0) {
			return;
		}
		if (this.field == Field.DATA) {
			copy(this.valueStart, position);
		}
		else {
			copy(this.dataStart, this.dataEnd);
		}
	}

	// Copies bytes of the current event, held partly in carry and partly in the chunk.
	private void copy(int from, int to) {
		int start = from;
		if (start < this.carryLength) {
			int end = Math.min(to, this.carryLength);
			join(this.carry, start, end - start);
			start = end;
		}
		if (start < to) {
			join(this.chunk, this.chunkStart + start - this.carryLength, to - start);
		}
	}

	private void join(byte[] bytes, int offset, int length) {
		if (this.dataLength > MAX_DATA_BYTES || length == 0) {
			return;
		}
		this.joined = ensure(this.joined, this.joinedLength + length);
		System.arraycopy(bytes, offset, this.joined, this.joinedLength, length);
		this.joinedLength += length;
	}

	private boolean endOfLine(int index) {
		if (this.lineEmpty) {
			dispatch(index + 1, true);
			return true;
		}
		if (this.lineState == LineState.FIELD && this.fieldNameLength > 0) {
			// A line without a colon is a field name with an empty value.
			startValue(index);
		}
		if (this.field == Field.DATA && !this.joining) {
			this.dataStart = this.valueStart;
			this.dataEnd = position(index);
		}
		this.lineState = LineState.FIELD;
		this.fieldNameLength = 0;
		this.field = Field.OTHER;
		this.lineEmpty = true;
		return false;
	}

	private void endOfChunk(int end) {
		int length = end - this.chunkStart;
		if (length == 0) {
			return;
		}
		if (this.passingThrough) {
			this.listener.passedThrough(this.chunk, this.chunkStart, length);
		}
		else if (this.carryLength + length > MAX_HELD_BYTES) {
			if (!this.joining) {
				startJoining(position(end));
			}
			this.passingThrough = true;
			if (this.carryLength > 0) {
				this.listener.passedThrough(this.carry, 0, this.carryLength);
			}
			this.listener.passedThrough(this.chunk, this.chunkStart, length);
			this.carryLength = 0;
			this.carry = NOTHING;
		}
		else {
			hold(this.chunk, this.chunkStart, length);
		}
		this.chunkStart = end;
	}

	private void hold(byte[] bytes, int offset, int length) {
		this.carry = ensure(this.carry, this.carryLength + length);
		System.arraycopy(bytes, offset, this.carry, this.carryLength, length);
		this.carryLength += length;
	}

	private static byte[] ensure(byte[] bytes, int capacity) {
		if (capacity <= bytes.length) {
			return bytes;
		}
		return Arrays.copyOf(bytes, Math.max(capacity, Math.max(1024, bytes.length * 2)));
	}

	// Hands over the current event, whose bytes in the chunk end before end.
	private void dispatch(int end, boolean closed) {
		Event current = this.event;
		try {
			int length = end - this.chunkStart;
			byte[] source = this.chunk;
			int offset = this.chunkStart;
			if (this.passingThrough) {
				if (length > 0) {
					this.listener.passedThrough(this.chunk, this.chunkStart, length);
				}
				current.raw(null, 0, 0);
			}
			else {
				if (this.carryLength > 0) {
					hold(this.chunk, this.chunkStart, length);
					source = this.carry;
					offset = 0;
					length = this.carryLength;
				}
				if (length > MAX_HELD_BYTES) {
					this.listener.passedThrough(source, offset, length);
					current.raw(null, 0, 0);
				}
				else {
					current.raw(source, offset, length);
				}
			}
			if (this.dataLines == 0 || this.dataLength > MAX_DATA_BYTES) {
				current.data(NOTHING, 0, 0);
			}
			else if (this.joining) {
				current.data(this.joined, 0, this.joinedLength);
			}
			else {
				current.data(source, offset + this.dataStart, this.dataEnd - this.dataStart);
			}
			current.dataLines = this.dataLines;
			current.dataTooLarge = this.dataLength > MAX_DATA_BYTES;
			current.named = this.named;
			current.name = this.name;
			current.nameLength = this.nameLength;
			current.closed = closed;
			this.listener.event(current);
		}
		finally {
			current.raw(null, 0, 0);
			current.data(NOTHING, 0, 0);
			resetEvent(end);
		}
	}

	private void resetEvent(int end) {
		this.chunkStart = end;
		this.carryLength = 0;
		this.passingThrough = false;
		this.dataLines = 0;
		this.dataLength = 0;
		this.joining = false;
		this.joinedLength = 0;
		this.named = false;
		this.nameLength = 0;
		if (this.carry.length > RETAINED_CAPACITY) {
			this.carry = NOTHING;
		}
		if (this.joined.length > RETAINED_CAPACITY) {
			this.joined = NOTHING;
		}
	}

	/**
	 * Told of the stream's events, in order. The arrays it is given are the reader's or
	 * the chunk's: valid only during the call, never to be kept or changed.
	 */
	interface Listener {

		/**
		 * A complete event: its blank line arrived, or the stream ended inside it.
		 * @param event the event, valid only during the call
		 */
		void event(Event event);

		/**
		 * The line feed of a CRLF whose CR closed the previous event: it arrives after
		 * that event was handed over, and belongs with it.
		 */
		default void lineFeedAfterEvent() {
		}

		/**
		 * Raw bytes of an event too large to hold, passed on as they come; the event
		 * follows, without raw bytes, when it ends.
		 * @param bytes the array holding them
		 * @param offset where they start
		 * @param length how many
		 */
		default void passedThrough(byte[] bytes, int offset, int length) {
		}

	}

	/**
	 * One event, reused from event to event: views into the reader's buffers or the chunk
	 * being read.
	 */
	static final class Event {

		private byte @Nullable [] raw;

		private int rawOffset;

		private int rawLength;

		private byte[] data = NOTHING;

		private int dataOffset;

		private int dataLength;

		private int dataLines;

		private boolean dataTooLarge;

		private boolean named;

		private byte[] name = NOTHING;

		private int nameLength;

		private boolean closed;

		private void raw(byte @Nullable [] bytes, int offset, int length) {
			this.raw = bytes;
			this.rawOffset = offset;
			this.rawLength = length;
		}

		private void data(byte[] bytes, int offset, int length) {
			this.data = bytes;
			this.dataOffset = offset;
			this.dataLength = length;
		}

		/**
		 * The event's bytes as they came, through its closing blank line.
		 * @return the array holding them, or {@code null} when they were passed through
		 */
		byte @Nullable [] raw() {
			return this.raw;
		}

		int rawOffset() {
			return this.rawOffset;
		}

		int rawLength() {
			return this.rawLength;
		}

		/**
		 * The values of the event's data lines, joined with LF. When the event has one
		 * data line and is held, this is a view into {@link #raw()}.
		 * @return the array holding the data; empty without data lines or when too large
		 */
		byte[] data() {
			return this.data;
		}

		int dataOffset() {
			return this.dataOffset;
		}

		int dataLength() {
			return this.dataLength;
		}

		/**
		 * How many {@code data} lines the event had.
		 * @return the count, 0 for an event without data
		 */
		int dataLines() {
			return this.dataLines;
		}

		/**
		 * Whether the data was longer than {@link SseEventReader#MAX_DATA_BYTES}.
		 * @return {@code true} when the data was dropped for its size
		 */
		boolean dataTooLarge() {
			return this.dataTooLarge;
		}

		/**
		 * Whether the event had an {@code event} line, even an empty one.
		 * @return {@code true} with an {@code event} line
		 */
		boolean named() {
			return this.named;
		}

		/**
		 * Whether the event's name (its last {@code event} line's value, cut at
		 * {@link SseEventReader#MAX_EVENT_NAME} bytes) is the given one.
		 * @param expected the name, as bytes
		 * @return {@code true} when they are the same bytes
		 */
		boolean nameIs(byte[] expected) {
			return Arrays.equals(this.name, 0, this.nameLength, expected, 0, expected.length);
		}

		/**
		 * The event's name, decoded; made anew on each call, so for tests and logs, not
		 * for the hot path (see {@link #nameIs(byte[])}).
		 * @return the name, empty when unnamed
		 */
		String name() {
			return new String(this.name, 0, this.nameLength, StandardCharsets.UTF_8);
		}

		/**
		 * Length of the event's name in bytes.
		 * @return 0 when unnamed or the name is empty
		 */
		int nameLength() {
			return this.nameLength;
		}

		/**
		 * Whether the data is the given bytes.
		 * @param expected the bytes
		 * @return {@code true} when they are the same bytes
		 */
		boolean dataIs(byte[] expected) {
			return Arrays.equals(this.data, this.dataOffset, this.dataOffset + this.dataLength, expected, 0,
					expected.length);
		}

		/**
		 * Whether the event was closed by its blank line, not by the end of the stream.
		 * @return {@code true} when its blank line arrived
		 */
		boolean closed() {
			return this.closed;
		}

	}

	private enum LineState {

		/** Reading the field name, up to the colon. */
		FIELD,
		/** Just after the colon: one space is skipped. */
		VALUE_START,
		/** Reading the value of a data or event field. */
		VALUE,
		/** A comment or a field the reader does not need. */
		IGNORE

	}

	private enum Field {

		DATA, EVENT, OTHER

	}

}
