package io.aoaigateway.routing;

import java.net.URI;
import java.util.List;
import java.util.Locale;

import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * Points {@code operation-location} and {@code location} response headers that name the
 * backend back at the gateway, so clients keep polling through it (and never need the
 * backend's key).
 */
final class LocationRewriteHeadersFilter implements HttpHeadersFilter {

	private static final List<String> HEADERS = List.of("operation-location", HttpHeaders.LOCATION);

	@Override
	public boolean supports(Type type) {
		return type == Type.RESPONSE;
	}

	@Override
	public HttpHeaders filter(HttpHeaders input, ServerWebExchange exchange) {
		if (!input.containsHeader(HEADERS.get(0)) && !input.containsHeader(HEADERS.get(1))) {
			return input;
		}
		GatewayCall call = exchange.getAttribute(GatewayCall.ATTRIBUTE);
		BackendDeployment selected = (call != null) ? call.attempts().current() : null;
		if (selected == null) {
			return input;
		}
		String backendBase = selected.backend().url().toString();
		String gatewayBase = UriComponentsBuilder.fromUri(exchange.getRequest().getURI())
			.replacePath(null)
			.replaceQuery(null)
			.fragment(null)
			.build()
			.toUriString();
		HttpHeaders output = new HttpHeaders();
		output.putAll(input);
		for (String name : HEADERS) {
			String value = input.getFirst(name);
			if (value != null && startsWithIgnoringCase(value, backendBase)) {
				output.set(name, gatewayBase + value.substring(backendBase.length()));
			}
		}
		return output;
	}

	private static boolean startsWithIgnoringCase(String value, String prefix) {
		return value.regionMatches(true, 0, prefix, 0, prefix.length())
				&& (value.length() == prefix.length() || "/?".indexOf(value.charAt(prefix.length())) >= 0)
				&& URI.create(prefix).getScheme().toLowerCase(Locale.ROOT).startsWith("http");
	}

}
