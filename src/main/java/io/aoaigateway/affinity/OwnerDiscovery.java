package io.aoaigateway.affinity;

import java.time.Duration;
import java.util.List;

import io.aoaigateway.routing.Backend;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.web.reactive.function.client.WebClient;

/**
 * Finds the backend that holds an object the gateway has no record of (created before it,
 * or a lost record): asks every stateful backend at once, in bounded time, with a
 * {@code GET} on the object's path; the first to answer 2xx has it.
 */
final class OwnerDiscovery {

	private final List<Backend> backends;

	private final WebClient client;

	private final boolean enabled;

	private final Duration timeout;

	/**
	 * @param backends the stateful backends
	 * @param client the client that asks them
	 * @param enabled whether to ask at all ({@code aoai.affinity.discovery})
	 * @param timeout the longest a search may take
	 * ({@code aoai.affinity.discovery-timeout})
	 */
	OwnerDiscovery(List<Backend> backends, WebClient client, boolean enabled, Duration timeout) {
		this.backends = List.copyOf(backends);
		this.client = client;
		this.enabled = enabled;
		this.timeout = timeout;
	}

	/**
	 * Looks for an object.
	 * @param path the object's path, e.g. {@code /openai/threads/thread_abc}
	 * @param query the call's raw query (the {@code api-version}), or null
	 * @return the backend that has it; empty when none answered 2xx within the timeout,
	 * or discovery is off
	 */
	Mono<Backend> find(String path, @Nullable String query) {
		if (!this.enabled) {
			return Mono.empty();
		}
		return Flux.fromIterable(this.backends)
			.flatMap((backend) -> has(backend, path, query).filter(Boolean::booleanValue).map((found) -> backend))
			.next()
			.timeout(this.timeout, Mono.empty());
	}

	// Any failure (refused, reset, a broken answer) means "not here".
	private Mono<Boolean> has(Backend backend, String path, @Nullable String query) {
		return this.client.get()
			.uri(backend.resolve(path + ((query != null) ? "?" + query : "")))
			.headers(backend.credential()::writeTo)
			.exchangeToMono((response) -> response.releaseBody().thenReturn(response.statusCode().is2xxSuccessful()))
			.onErrorReturn(false);
	}

}
