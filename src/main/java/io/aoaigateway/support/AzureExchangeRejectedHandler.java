package io.aoaigateway.support;

import reactor.core.publisher.Mono;

import org.springframework.security.web.server.firewall.ServerExchangeRejectedException;
import org.springframework.security.web.server.firewall.ServerExchangeRejectedHandler;
import org.springframework.web.server.ServerWebExchange;

/**
 * Answers a request that Spring Security's firewall rejects (an encoded slash, a
 * non-printable header, a disallowed method) with Azure's 400, instead of an empty body.
 * The firewall's reason is not echoed: it may quote the caller's header values.
 */
public final class AzureExchangeRejectedHandler implements ServerExchangeRejectedHandler {

	@Override
	public Mono<Void> handle(ServerWebExchange exchange, ServerExchangeRejectedException ex) {
		if (exchange.getResponse().isCommitted()) {
			return Mono.empty();
		}
		return GatewayErrors.write(exchange,
				AzureError.badRequest("The request was rejected: its method, URL or headers are not allowed."));
	}

}
