package io.aoaigateway.usage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Recorded Azure OpenAI responses from {@code src/test/resources/azure-openai/}, and the
 * ways tests cut them into network chunks.
 */
final class UsageFixtures {

	private UsageFixtures() {
	}

	static byte[] recorded(String name) {
		try (InputStream in = UsageFixtures.class.getResourceAsStream("/azure-openai/" + name)) {
			if (in == null) {
				throw new IllegalArgumentException("No recording " + name);
			}
			return in.readAllBytes();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	static byte[] utf8(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	static byte[] concat(byte[]... parts) {
		int length = Arrays.stream(parts).mapToInt((part) -> part.length).sum();
		byte[] all = new byte[length];
		int offset = 0;
		for (byte[] part : parts) {
			System.arraycopy(part, 0, all, offset, part.length);
			offset += part.length;
		}
		return all;
	}

	/**
	 * Every way to cut the bytes in two, then one byte at a time.
	 * @param bytes the whole body
	 * @return the cuttings, each a list of chunks
	 */
	static List<List<byte[]>> splits(byte[] bytes) {
		List<List<byte[]>> splits = new ArrayList<>();
		for (int offset = 0; offset <= bytes.length; offset++) {
			splits.add(List.of(Arrays.copyOfRange(bytes, 0, offset), Arrays.copyOfRange(bytes, offset, bytes.length)));
		}
		List<byte[]> single = new ArrayList<>();
		for (byte b : bytes) {
			single.add(new byte[] { b });
		}
		splits.add(single);
		return splits;
	}

	/** Rewrites the LF line endings of a recording. */
	static byte[] withLineEndings(byte[] bytes, String ending) {
		String text = new String(bytes, StandardCharsets.UTF_8);
		return utf8(text.replace("\r\n", "\n").replace("\n", ending));
	}

	/**
	 * Checks that every cutting of the bytes gives the same result as feeding them whole.
	 * @param bytes the whole body
	 * @param run feeds the chunks and returns what the test compares
	 * @param <T> the result type, compared with {@code equals}
	 * @return the result of feeding the bytes whole
	 */
	static <T> T sameForEverySplit(byte[] bytes, Function<List<byte[]>, T> run) {
		T whole = run.apply(List.of(bytes));
		for (List<byte[]> split : splits(bytes)) {
			T result = run.apply(split);
			if (!whole.equals(result)) {
				throw new AssertionError("Split into " + split.size() + " chunks (first " + split.get(0).length
						+ " bytes) gave " + result + " instead of " + whole);
			}
		}
		return whole;
	}

}
