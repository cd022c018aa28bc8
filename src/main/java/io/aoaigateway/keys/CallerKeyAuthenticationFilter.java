package io.aoaigateway.keys;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;

import io.aoaigateway.support.AzureError;
import io.aoaigateway.support.GatewayErrors;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.server.WebFilterExchange;
import org.springframework.security.web.server.authentication.AuthenticationWebFilter;
import org.springframework.security.web.server.authentication.ServerAuthenticationConverter;
import org.springframework.security.web.server.authentication.ServerAuthenticationFailureHandler;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.web.server.ServerWebExchange;

/**
 * Authenticates calls that carry a caller key, in the security chain just before the
 * Entra token check: reads the key ({@link PresentedCredentials}), has
 * {@link CallerKeyAuthenticationProvider} decide, and answers a refused key in Azure's
 * shape. Calls without a caller key pass through untouched.
 *
 * @see <a href=
 * "https://learn.microsoft.com/azure/ai-services/openai/reference#authentication">Azure
 * OpenAI authentication</a>
 */
final class CallerKeyAuthenticationFilter extends AuthenticationWebFilter {

	/** Azure OpenAI's key header, which Azure SDKs send. */
	static final String API_KEY = "api-key";

	// Azure's wording for a wrong key, adapted: the same answer for an unknown, revoked,
	// wrong or malformed key, so that it tells nothing about which key ids exist.
	static final String INVALID_KEY = "Access denied due to invalid gateway key or wrong API endpoint. Make sure to "
			+ "provide a valid key issued by this gateway (api-key header), or a Microsoft Entra ID access token "
			+ "(Authorization: Bearer).";

	static final String EXPIRED_KEY = "Access denied: the gateway key has expired. Ask the key's owner for a new one.";

	static final String ONE_CREDENTIAL = "Send one credential: a gateway key (api-key header or Authorization: Bearer) "
			+ "or a Microsoft Entra ID access token, not both.";

	static final String KEYS_UNAVAILABLE = "The gateway cannot check gateway keys right now; try again shortly.";

	/** What a caller is told to wait when the keys cannot be checked. */
	static final Duration UNAVAILABLE_RETRY = Duration.ofSeconds(5);

	CallerKeyAuthenticationFilter(CallerKeyAuthenticationProvider provider, CallerKeyMetrics metrics,
			ClientSource clients) {
		super(provider);
		setServerAuthenticationConverter(new KeyConverter(clients));
		setAuthenticationFailureHandler(new RefusedKeyAnswers(metrics));
		// Stateless, as the token check: nothing is kept between calls.
		setSecurityContextRepository(NoOpServerSecurityContextRepository.getInstance());
	}

	/** Reads the caller key of a call, if it carries one. */
	static final class KeyConverter implements ServerAuthenticationConverter {

		private final ClientSource clients;

		KeyConverter(ClientSource clients) {
			this.clients = clients;
		}

		@Override
		public Mono<Authentication> convert(ServerWebExchange exchange) {
			HttpHeaders headers = exchange.getRequest().getHeaders();
			List<String> apiKeys = headers.getOrEmpty(API_KEY);
			List<String> authorizations = headers.getOrEmpty(HttpHeaders.AUTHORIZATION);
			if (apiKeys.isEmpty() && authorizations.isEmpty()) {
				return Mono.empty();
			}
			PresentedCredentials presented = PresentedCredentials.read(apiKeys, authorizations);
			return switch (presented.kind()) {
				case NONE -> Mono.empty();
				case MALFORMED -> Mono.error(new CallerKeyRejectedException(CallerKeyOutcome.MALFORMED));
				case CONFLICT -> Mono.error(new CallerKeyRejectedException(CallerKeyOutcome.CONFLICT));
				case KEY -> Mono.just(new PresentedCallerKey(String.valueOf(presented.key()), FailedKeyAttempts
					.sourceOf(this.clients.of(peer(exchange.getRequest()), headers.getOrEmpty("X-Forwarded-For")))));
			};
		}

		// The connection's own peer: the request's remote address is the forwarded one.
		private static @Nullable InetAddress peer(ServerHttpRequest request) {
			Object nativeRequest = ServerHttpRequestDecorator.getNativeRequest(request);
			SocketAddress address = (nativeRequest instanceof HttpServerRequest server)
					? server.connectionRemoteAddress() : request.getRemoteAddress();
			return (address instanceof InetSocketAddress inet) ? inet.getAddress() : null;
		}

	}

	/** Answers a refused caller key, and counts it. */
	static final class RefusedKeyAnswers implements ServerAuthenticationFailureHandler {

		private final CallerKeyMetrics metrics;

		RefusedKeyAnswers(CallerKeyMetrics metrics) {
			this.metrics = metrics;
		}

		@Override
		public Mono<Void> onAuthenticationFailure(WebFilterExchange webFilterExchange,
				AuthenticationException exception) {
			ServerWebExchange exchange = webFilterExchange.getExchange();
			CallerKeyRejectedException rejected = (exception instanceof CallerKeyRejectedException known) ? known
					: new CallerKeyRejectedException(CallerKeyOutcome.UNKNOWN);
			this.metrics.outcome(rejected.outcome());
			HttpHeaders headers = exchange.getResponse().getHeaders();
			return GatewayErrors.write(exchange, switch (rejected.outcome()) {
				case EXPIRED -> AzureError.of(HttpStatus.UNAUTHORIZED, EXPIRED_KEY);
				case CONFLICT -> AzureError.badRequest(ONE_CREDENTIAL);
				case THROTTLED -> {
					Duration wait = (rejected.retryAfter() != null) ? rejected.retryAfter() : Duration.ofSeconds(1);
					long seconds = retryAfter(headers, wait);
					yield AzureError.of(HttpStatus.TOO_MANY_REQUESTS, "Too many invalid gateway keys were sent from "
							+ "this client; try again in " + seconds + " seconds.");
				}
				case UNAVAILABLE -> {
					retryAfter(headers, UNAVAILABLE_RETRY);
					yield AzureError.of(HttpStatus.SERVICE_UNAVAILABLE, KEYS_UNAVAILABLE);
				}
				default -> AzureError.of(HttpStatus.UNAUTHORIZED, INVALID_KEY);
			});
		}

		// Both headers, as Azure sends them: SDKs read retry-after-ms first.
		private static long retryAfter(HttpHeaders headers, Duration wait) {
			long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
			headers.set(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
			headers.set("retry-after-ms", Long.toString(Math.max(1, wait.toMillis())));
			return seconds;
		}

	}

}
