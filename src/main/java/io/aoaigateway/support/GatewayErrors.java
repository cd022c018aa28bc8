package io.aoaigateway.support;

import java.nio.charset.StandardCharsets;

import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.ServerWebExchange;

/**
 * Writes the gateway's own refusals in Azure's error shape; the one place that renders
 * them.
 */
public final class GatewayErrors {

	private static final JsonMapper JSON = JsonMapper.shared();

	private GatewayErrors() {
	}

	/**
	 * Ends the exchange with the given error; the response must not be committed yet.
	 * @param exchange the call to answer
	 * @param error what to answer
	 * @return completion of the write
	 */
	public static Mono<Void> write(ServerWebExchange exchange, AzureError error) {
		return write(exchange.getResponse(), error);
	}

	public static Mono<Void> write(ServerHttpResponse response, AzureError error) {
		response.setStatusCode(error.status());
		response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
		byte[] bytes = toJson(error);
		response.getHeaders().setContentLength(bytes.length);
		DataBuffer buffer = response.bufferFactory().wrap(bytes);
		return response.writeWith(Mono.just(buffer));
	}

	/**
	 * The error as the answer of a functional endpoint ({@code /gateway/...}).
	 * @param error what to answer
	 * @return the answer
	 */
	public static Mono<ServerResponse> response(AzureError error) {
		return ServerResponse.status(error.status()).contentType(MediaType.APPLICATION_JSON).bodyValue(toJson(error));
	}

	/**
	 * The error's body, for answers written below Spring (by Netty handlers).
	 * @param error the error
	 * @return its JSON, UTF-8
	 */
	public static byte[] json(AzureError error) {
		return toJson(error);
	}

	static byte[] toJson(AzureError error) {
		ObjectNode root = JSON.createObjectNode();
		ObjectNode body = root.putObject("error");
		body.put("code", error.code());
		body.put("message", error.message());
		return JSON.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
	}

}
