package io.aoaigateway.warmup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import io.aoaigateway.usage.JsonUsageParser;
import io.aoaigateway.usage.SseUsageParser;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.io.ClassPathResource;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;

/**
 * Readies a new replica before it reports ready: fetches the token issuer's signing keys
 * (else the first burst of calls waits on that fetch), starts the backend client's event
 * loops and name resolver, and runs the response parsers over recorded Azure answers
 * until the JIT has compiled their per-chunk path. Spring Boot reports readiness only
 * after every {@link ApplicationRunner} has returned, while the server already answers
 * liveness.
 */
final class GatewayWarmUp implements ApplicationRunner {

	private static final Log logger = LogFactory.getLog(GatewayWarmUp.class);

	// Signed with no key the gateway trusts: decoding it makes the decoder fetch the key
	// set, then reject the token.
	private static final String THROWAWAY_TOKEN = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9"
			+ ".eyJpc3MiOiJ3YXJtLXVwIiwic3ViIjoid2FybS11cCJ9.AAAA";

	// Network chunks come in all sizes; reading each sample in several sizes compiles
	// the paths that join events across chunks too.
	private static final int[] CHUNK_SIZES = { 64, 512, 4096, 65536 };

	private final WarmUpProperties properties;

	private final ReactiveJwtDecoder decoder;

	private final HttpClient httpClient;

	private final byte[] json = sample("chat-completion.json");

	private final byte[] sse = sample("chat-stream-include-usage.sse");

	GatewayWarmUp(WarmUpProperties properties, ReactiveJwtDecoder decoder, HttpClient httpClient) {
		this.properties = properties;
		this.decoder = decoder;
		this.httpClient = httpClient;
	}

	@Override
	public void run(ApplicationArguments args) {
		long start = System.nanoTime();
		long deadline = start + this.properties.timeout().toNanos();
		// The key fetch and the client's start wait on the network; the parsers need the
		// CPU meanwhile.
		CompletableFuture<String> keys = fetchSigningKeys().toFuture();
		CompletableFuture<String> client = startHttpClient().toFuture();
		List<String> outcomes = new ArrayList<>();
		outcomes.add(compileParsers(deadline));
		outcomes.add(await(keys, deadline, "token signing keys"));
		outcomes.add(await(client, deadline, "backend client"));
		logger.info("Warmed up in " + (System.nanoTime() - start) / 1_000_000 + " ms: " + String.join(", ", outcomes));
	}

	private Mono<String> fetchSigningKeys() {
		return this.decoder.decode(THROWAWAY_TOKEN)
			.map((jwt) -> "token signing keys: throwaway token accepted")
			// The keys were fetched and the throwaway token rejected, as it must be.
			.onErrorReturn(BadJwtException.class, "token signing keys fetched")
			.onErrorResume((ex) -> {
				logger.warn("Warm-up could not fetch the token signing keys (" + ex.getMessage()
						+ "); the first calls will fetch them");
				return Mono.just("token signing keys not fetched");
			});
	}

	private Mono<String> startHttpClient() {
		return this.httpClient.warmup().thenReturn("backend client started").onErrorResume((ex) -> {
			logger.warn("Warm-up could not start the backend client: " + ex.getMessage());
			return Mono.just("backend client not started");
		});
	}

	private static String await(CompletableFuture<String> step, long deadline, String name) {
		try {
			return step.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
		}
		catch (TimeoutException ex) {
			step.cancel(true);
			logger.warn("Warm-up gave up on the " + name + " at its time limit");
			return name + ": gave up";
		}
		catch (ExecutionException ex) {
			return name + ": " + ex.getCause();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return name + ": interrupted";
		}
	}

	private String compileParsers(long deadline) {
		int rounds = 0;
		while (rounds < this.properties.parserRounds() && System.nanoTime() < deadline) {
			int size = CHUNK_SIZES[rounds % CHUNK_SIZES.length];
			JsonUsageParser json = new JsonUsageParser();
			feed(this.json, size, json::feed);
			json.end();
			SseUsageParser sse = new SseUsageParser();
			feed(this.sse, size, sse::feed);
			sse.end();
			if (json.usage() == null || sse.usage() == null) {
				throw new IllegalStateException("The warm-up samples carry no usage: the parsers are broken");
			}
			rounds++;
		}
		return "parsers read " + rounds + " answers and streams";
	}

	private static void feed(byte[] bytes, int size, Consumer<ByteBuffer> parser) {
		for (int offset = 0; offset < bytes.length; offset += size) {
			parser.accept(ByteBuffer.wrap(bytes, offset, Math.min(size, bytes.length - offset)).slice());
		}
	}

	private static byte[] sample(String name) {
		try {
			return new ClassPathResource(name, GatewayWarmUp.class).getContentAsByteArray();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot read the warm-up sample " + name, ex);
		}
	}

}
