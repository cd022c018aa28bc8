package io.aoaigateway.simulator;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * Reads a {@code multipart/form-data} body from its bytes, which the simulator keeps
 * whole so it can record them.
 *
 * @param parts the parts in order
 */
record Multipart(List<Part> parts) {

	private static final byte[] CRLF = { '\r', '\n' };

	private static final byte[] HEADERS_END = { '\r', '\n', '\r', '\n' };

	/**
	 * Parses a body.
	 * @param contentType the request's {@code Content-Type}, with the boundary
	 * @param body the body
	 * @return the parts
	 * @throws Rejection with a 400 when the body is not multipart/form-data
	 */
	static Multipart parse(@Nullable String contentType, byte[] body) {
		String boundary = boundary(contentType);
		if (boundary == null) {
			throw new Rejection(AzureErrors.badRequest("The request must be multipart/form-data with a boundary."));
		}
		byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
		List<Part> parts = new ArrayList<>();
		int position = indexOf(body, delimiter, 0);
		while (position >= 0) {
			int afterDelimiter = position + delimiter.length;
			if (startsWith(body, afterDelimiter, new byte[] { '-', '-' })) {
				return new Multipart(parts);
			}
			int headersStart = afterDelimiter + CRLF.length;
			int headersEnd = indexOf(body, HEADERS_END, headersStart);
			if (headersEnd < 0) {
				break;
			}
			byte[] nextDelimiter = concat(CRLF, delimiter);
			int contentEnd = indexOf(body, nextDelimiter, headersEnd + HEADERS_END.length);
			if (contentEnd < 0) {
				break;
			}
			String headers = new String(body, headersStart, headersEnd - headersStart, StandardCharsets.UTF_8);
			parts.add(part(headers, Arrays.copyOfRange(body, headersEnd + HEADERS_END.length, contentEnd)));
			position = contentEnd + CRLF.length;
		}
		throw new Rejection(AzureErrors.badRequest("The multipart/form-data body is malformed."));
	}

	/**
	 * @param name a field name
	 * @return the first part with that name, or {@code null}
	 */
	@Nullable Part part(String name) {
		return this.parts.stream().filter((part) -> part.name().equals(name)).findFirst().orElse(null);
	}

	/**
	 * @param name a field name
	 * @return the first part with that name as text, or {@code null}
	 */
	@Nullable String text(String name) {
		Part part = part(name);
		return (part != null) ? new String(part.content(), StandardCharsets.UTF_8) : null;
	}

	private static Part part(String headers, byte[] content) {
		String name = "";
		String filename = null;
		String contentType = null;
		for (String line : headers.split("\r\n")) {
			int colon = line.indexOf(':');
			if (colon < 0) {
				continue;
			}
			String header = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
			String value = line.substring(colon + 1).trim();
			if (header.equals("content-disposition")) {
				String parsedName = parameter(value, "name");
				name = (parsedName != null) ? parsedName : "";
				filename = parameter(value, "filename");
			}
			else if (header.equals("content-type")) {
				contentType = value;
			}
		}
		return new Part(name, filename, contentType, content);
	}

	private static @Nullable String boundary(@Nullable String contentType) {
		if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
			return null;
		}
		return parameter(contentType, "boundary");
	}

	private static @Nullable String parameter(String header, String name) {
		for (String piece : header.split(";")) {
			String trimmed = piece.trim();
			int equals = trimmed.indexOf('=');
			if (equals > 0 && trimmed.substring(0, equals).trim().equalsIgnoreCase(name)) {
				String value = trimmed.substring(equals + 1).trim();
				if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
					value = value.substring(1, value.length() - 1);
				}
				return value;
			}
		}
		return null;
	}

	private static int indexOf(byte[] data, byte[] pattern, int from) {
		for (int i = Math.max(from, 0); i <= data.length - pattern.length; i++) {
			if (startsWith(data, i, pattern)) {
				return i;
			}
		}
		return -1;
	}

	private static boolean startsWith(byte[] data, int offset, byte[] prefix) {
		return offset + prefix.length <= data.length && data[offset] == prefix[0]
				&& Arrays.equals(data, offset, offset + prefix.length, prefix, 0, prefix.length);
	}

	private static byte[] concat(byte[] first, byte[] second) {
		byte[] all = Arrays.copyOf(first, first.length + second.length);
		System.arraycopy(second, 0, all, first.length, second.length);
		return all;
	}

	/**
	 * One form field.
	 *
	 * @param name the field name, e.g. {@code file}
	 * @param filename the file name, for file fields
	 * @param contentType the part's content type, if given
	 * @param content the part's bytes
	 */
	record Part(String name, @Nullable String filename, @Nullable String contentType, byte[] content) {

	}

}
