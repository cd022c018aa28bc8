package io.aoaigateway.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.aoaigateway.support.AzureError;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpVersion;
import org.jspecify.annotations.Nullable;

/**
 * Judges how a request's headers frame its body, by RFC 9112 section 6: a request whose
 * length two parties could read differently is refused before any of it is forwarded.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc9112#section-6.3">RFC 9112, 6.3 Message
 * Body Length</a>
 */
final class RequestFraming {

	private static final String CHUNKED = "chunked";

	private RequestFraming() {
	}

	/**
	 * @param version the request's protocol version
	 * @param headers the request's headers, as decoded
	 * @return why the framing is refused, or {@code null} when it is sound
	 */
	static @Nullable AzureError check(HttpVersion version, HttpHeaders headers) {
		List<String> transferEncodings = headers.getAll(HttpHeaderNames.TRANSFER_ENCODING);
		if (transferEncodings.isEmpty()) {
			return checkContentLength(headers.getAll(HttpHeaderNames.CONTENT_LENGTH));
		}
		if (headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
			return AzureError.badRequest("A request must not carry both Transfer-Encoding and Content-Length.");
		}
		if (HttpVersion.HTTP_1_0.equals(version)) {
			return AzureError.badRequest("Transfer-Encoding is not allowed in an HTTP/1.0 request.");
		}
		List<String> codings = codings(transferEncodings);
		if (codings.isEmpty() || !codings.get(codings.size() - 1).equals(CHUNKED)) {
			return AzureError.badRequest("The final transfer coding of a request must be chunked.");
		}
		if (codings.indexOf(CHUNKED) != codings.size() - 1) {
			return AzureError.badRequest("The chunked transfer coding must not be applied more than once.");
		}
		if (codings.size() > 1) {
			// RFC 9112 6.1: a coding the server does not implement is answered with 501.
			return AzureError.notImplemented("The gateway implements no transfer coding but chunked.");
		}
		return null;
	}

	private static @Nullable AzureError checkContentLength(List<String> values) {
		String first = null;
		for (String value : values) {
			for (String element : value.split(",", -1)) {
				String length = element.trim();
				if (length.isEmpty() || !length.chars().allMatch((c) -> c >= '0' && c <= '9')) {
					return AzureError.badRequest("The Content-Length header is not valid.");
				}
				if (first == null) {
					first = length;
				}
				else if (!first.equals(length)) {
					return AzureError.badRequest("The request carries differing Content-Length values.");
				}
			}
		}
		return null;
	}

	private static List<String> codings(List<String> headerValues) {
		List<String> codings = new ArrayList<>();
		for (String value : headerValues) {
			for (String element : value.split(",", -1)) {
				int parameters = element.indexOf(';');
				String coding = ((parameters >= 0) ? element.substring(0, parameters) : element).trim()
					.toLowerCase(Locale.ROOT);
				// RFC 9110 5.6.1: empty list elements are allowed and ignored.
				if (!coding.isEmpty()) {
					codings.add(coding);
				}
			}
		}
		return codings;
	}

}
