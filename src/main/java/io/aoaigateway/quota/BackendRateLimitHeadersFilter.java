package io.aoaigateway.quota;

import java.util.Locale;

import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;

/**
 * Keeps the backend's {@code x-ratelimit-*} headers from the client: they describe one
 * deployment shared by everyone, not the caller (digest G13). The caller's own limits
 * come from {@link TokenQuotaFilter}.
 */
final class BackendRateLimitHeadersFilter implements HttpHeadersFilter {

	@Override
	public boolean supports(Type type) {
		return type == Type.RESPONSE;
	}

	@Override
	public HttpHeaders filter(HttpHeaders input, ServerWebExchange exchange) {
		if (input.headerNames().stream().noneMatch(BackendRateLimitHeadersFilter::isRateLimit)) {
			return input;
		}
		HttpHeaders output = new HttpHeaders();
		input.forEach((name, values) -> {
			if (!isRateLimit(name)) {
				output.put(name, values);
			}
		});
		return output;
	}

	private static boolean isRateLimit(String name) {
		return name.toLowerCase(Locale.ROOT).startsWith("x-ratelimit-");
	}

}
