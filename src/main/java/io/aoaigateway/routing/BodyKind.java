package io.aoaigateway.routing;

import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;

/**
 * How the gateway treats a request body, judged from its content type, its path and (for
 * {@link #SNIFF}) its first bytes: JSON is read whole to be inspected and replayed;
 * uploads stream through uncopied.
 */
enum BodyKind {

	/** Declared JSON: read whole, inspected, replayable. */
	JSON,

	/**
	 * No JSON content type on an endpoint that accepts only JSON: read whole, and treated
	 * as JSON when its content is JSON, refused otherwise (as Azure would).
	 */
	SNIFF,

	/** Multipart, an upload endpoint, or no body: streamed through uncopied. */
	STREAM,

	/** A Content-Type header that cannot be parsed, on a request with a body. */
	INVALID_CONTENT_TYPE;

	// Azure's endpoints that take multipart or raw uploads; every other accepts only
	// JSON.
	private static final Pattern UPLOADS = Pattern
		.compile(".*/(audio/(transcriptions|translations)|images/(edits|variations)|files|uploads/[^/]+/parts)/?$");

	/**
	 * @param contentType the Content-Type header, if any
	 * @param path the request path
	 * @param hasBody whether the request declares a body (a positive Content-Length, or
	 * Transfer-Encoding)
	 * @return how to treat the body
	 */
	static BodyKind of(@Nullable String contentType, String path, boolean hasBody) {
		MediaType type = null;
		if (contentType != null && !contentType.isBlank()) {
			try {
				type = MediaType.parseMediaType(contentType);
			}
			catch (InvalidMediaTypeException ex) {
				return hasBody ? INVALID_CONTENT_TYPE : STREAM;
			}
		}
		if (type != null && isJson(type)) {
			return JSON;
		}
		if (!hasBody || (type != null && type.getType().equals("multipart")) || UPLOADS.matcher(path).matches()) {
			return STREAM;
		}
		return SNIFF;
	}

	private static boolean isJson(MediaType type) {
		return MediaType.APPLICATION_JSON.isCompatibleWith(type) || type.getSubtype().endsWith("+json");
	}

	/**
	 * @param body a whole body
	 * @return whether it reads as JSON: its first character, after white space, opens an
	 * object or an array
	 */
	static boolean looksLikeJson(byte[] body) {
		int start = 0;
		// A UTF-8 byte order mark is tolerated, as JSON parsers do.
		if (body.length >= 3 && (body[0] & 0xFF) == 0xEF && (body[1] & 0xFF) == 0xBB && (body[2] & 0xFF) == 0xBF) {
			start = 3;
		}
		for (int i = start; i < body.length; i++) {
			byte b = body[i];
			if (b == ' ' || b == '\t' || b == '\r' || b == '\n') {
				continue;
			}
			return b == '{' || b == '[';
		}
		return false;
	}

}
