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

	/**
	 * Usage objects that must not be charged: each has one count that is not an integer
	 * from 0 to {@link TokenUsage#MAX_TOKENS}, or no count at all; every other member is
	 * sound.
	 * @return the usage objects, as JSON text
	 */
	static List<String> unusableUsages() {
		List<String> bad = List.of("-1", "-9223372036854775808", "2.5", "5.0", "1e3", "\"7\"", "\"\"", "true", "false",
				"{}", "[]", "[1]", "1000000001", "9223372036854775807", "9223372036854775808", "18446744073709551615",
				"123456789012345678901234567890");
		List<String> usages = new ArrayList<>();
		for (String value : bad) {
			usages.add("{\"prompt_tokens\":" + value + ",\"completion_tokens\":4,\"total_tokens\":14}");
			usages.add("{\"prompt_tokens\":10,\"completion_tokens\":" + value + ",\"total_tokens\":14}");
			usages.add("{\"prompt_tokens\":10,\"completion_tokens\":4,\"total_tokens\":" + value + "}");
			usages.add("{\"input_tokens\":" + value + ",\"output_tokens\":4}");
			usages.add("{\"input_tokens\":10,\"output_tokens\":" + value + "}");
			usages.add("{\"prompt_tokens\":10,\"completion_tokens\":4,\"prompt_tokens_details\":{\"cached_tokens\":"
					+ value + "}}");
			usages.add("{\"input_tokens\":10,\"output_tokens\":4,\"output_tokens_details\":{\"reasoning_tokens\":"
					+ value + "}}");
		}
		usages.add("{\"prompt_tokens\":null,\"completion_tokens\":4}");
		usages.add("{\"prompt_tokens\":10,\"completion_tokens\":null}");
		usages.add("{\"total_tokens\":null}");
		usages.add("{}");
		usages.add("{\"audio_tokens\":3,\"prompt_tokens_details\":{\"cached_tokens\":1}}");
		return usages;
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
