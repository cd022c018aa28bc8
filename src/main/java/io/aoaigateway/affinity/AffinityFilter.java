package io.aoaigateway.affinity;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.aoaigateway.affinity.AffinityProperties.Sharing;
import io.aoaigateway.affinity.ObjectIds.PathObject;
import io.aoaigateway.auth.CallerIdentity;
import io.aoaigateway.observability.GatewayMeters;
import io.aoaigateway.routing.Backend;
import io.aoaigateway.routing.BackendDeployment;
import io.aoaigateway.routing.GatewayCall;
import io.aoaigateway.routing.Placement;
import io.aoaigateway.routing.RouteTarget;
import io.aoaigateway.state.StateStoreMonitor;
import io.aoaigateway.support.AzureError;
import io.aoaigateway.support.GatewayErrors;
import io.aoaigateway.usage.MeteredCall;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.util.DigestUtils;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.server.ServerWebExchange;

/**
 * Sends calls on stateful objects to the backend that owns them, and new objects to the
 * caller's home backend. Owners are learned from the answers that create objects, kept in
 * the shared {@link AffinityStore}, and looked for on the backends when unknown. A caller
 * reaches only the objects they may (by default their own); any other id answers 404, as
 * if it did not exist.
 */
final class AffinityFilter implements GlobalFilter, Ordered {

	/** After the route resolved its family, before quotas and failover. */
	static final int ORDER = 50;

	// Azure keeps image operations for a day.
	private static final Duration IMAGE_OPERATION_TTL = Duration.ofHours(24);

	private final AffinityProperties properties;

	private final AffinityStore store;

	private final List<Backend> backends;

	private final StateStoreMonitor monitor;

	private final Clock clock;

	private final WebClient discovery;

	private final GatewayMeters meters;

	AffinityFilter(AffinityProperties properties, AffinityStore store, List<Backend> backends,
			StateStoreMonitor monitor, Clock clock, WebClient discovery, GatewayMeters meters) {
		this.properties = properties;
		this.store = store;
		this.backends = List.copyOf(backends);
		this.monitor = monitor;
		this.clock = clock;
		this.discovery = discovery;
		this.meters = meters;
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		GatewayCall call = exchange.getRequiredAttribute(GatewayCall.ATTRIBUTE);
		RouteTarget target = call.target();
		CallerIdentity caller = call.caller();
		if (target == null || caller == null || !target.stateful() || !target.family().stateful()) {
			return chain.filter(exchange);
		}
		String path = exchange.getRequest().getPath().value();
		PathObject object = ObjectIds.inPath(path);
		Set<String> references = new LinkedHashSet<>(call.facts().references());
		Set<String> ids = new LinkedHashSet<>();
		if (object != null) {
			ids.add(object.id());
			references.remove(object.id());
		}
		ids.addAll(references);
		Instant now = this.clock.instant();
		return lookUp(ids, now).flatMap((known) -> {
			if (object != null) {
				ObjectOwner owner = known.get(object.id());
				if (owner != null) {
					this.meters.affinity("hit");
				}
				Mono<ObjectOwner> found = (owner != null) ? Mono.just(owner) : discover(exchange, object, caller);
				// The routed call completes empty too: tell "no owner" apart before
				// routing.
				return found.map(Optional::of)
					.defaultIfEmpty(Optional.empty())
					.flatMap((o) -> o.isPresent()
							? routeToObject(exchange, chain, call, caller, object.id(), o.get(), references, known)
							: notFoundAnywhere(exchange, object.id()));
			}
			return routeNew(exchange, chain, call, caller, references, known, path);
		});
	}

	private Mono<Void> routeToObject(ServerWebExchange exchange, GatewayFilterChain chain, GatewayCall call,
			CallerIdentity caller, String id, ObjectOwner owner, Set<String> references,
			Map<String, ObjectOwner> known) {
		if (!mayReach(caller, owner)) {
			this.meters.affinity("denied");
			return notFound(exchange, id);
		}
		Backend backend = backend(owner.backend());
		if (backend == null) {
			return notFound(exchange, id);
		}
		for (String reference : references) {
			ObjectOwner other = known.get(reference);
			if (other != null && !mayReach(caller, other)) {
				return notFound(exchange, reference);
			}
			if (other != null && !other.backend().equals(owner.backend())) {
				this.meters.affinity("conflict");
				return conflict(exchange, id, reference);
			}
		}
		return route(exchange, chain, call, List.of(backend), true);
	}

	private Mono<Void> routeNew(ServerWebExchange exchange, GatewayFilterChain chain, GatewayCall call,
			CallerIdentity caller, Set<String> references, Map<String, ObjectOwner> known, String path) {
		String first = null;
		String firstBackend = null;
		for (String reference : references) {
			ObjectOwner owner = known.get(reference);
			if (owner == null) {
				continue;
			}
			if (!mayReach(caller, owner)) {
				return notFound(exchange, reference);
			}
			if (firstBackend != null && !firstBackend.equals(owner.backend())) {
				this.meters.affinity("conflict");
				return conflict(exchange, first, reference);
			}
			first = reference;
			firstBackend = owner.backend();
		}
		boolean create = HttpMethod.POST.equals(exchange.getRequest().getMethod());
		if (create) {
			learnFromAnswer(call, caller, path);
		}
		Backend referenced = (firstBackend != null) ? backend(firstBackend) : null;
		if (referenced != null) {
			return route(exchange, chain, call, List.of(referenced), true);
		}
		// Lists are served by the home backend; a create may move on if the home one
		// throttles, since nothing was created.
		List<Backend> order = homeOrder(caller);
		return route(exchange, chain, call, create ? order : order.subList(0, 1), !create);
	}

	// A JSON answer is held until its objects are recorded, so that no follow-up call can
	// overtake the record; a stream's created objects are recorded when it ends (a call
	// overtaking that record finds its object by discovery).
	private void learnFromAnswer(GatewayCall call, CallerIdentity caller, String path) {
		MeteredCall metered = call.metered();
		Duration ttl = path.contains("/images/") ? IMAGE_OPERATION_TTL : this.properties.ttl();
		metered.beforeAnswer((ids) -> remember(call, caller, ids, ttl));
		metered.onFinish((usage) -> {
			if (usage.streamed() && usage.succeeded()) {
				remember(call, caller, usage.objectIds(), ttl).subscribe();
			}
		});
	}

	private Mono<Void> remember(GatewayCall call, CallerIdentity caller, List<String> ids, Duration ttl) {
		BackendDeployment selected = call.attempts().current();
		if (selected == null || ids.isEmpty()) {
			return Mono.empty();
		}
		ObjectOwner owner = new ObjectOwner(selected.backend().name(), caller.id(), caller.appId());
		return this.monitor
			.observe("affinity.remember",
					Flux.fromIterable(ids)
						.flatMap((id) -> this.store.remember(id, owner, ttl, this.clock.instant()))
						.then())
			.onErrorComplete();
	}

	// An id the store does not know: ask every stateful backend at once, in bounded time;
	// the first that has it owns it, and the caller who found it owns the entry.
	private Mono<ObjectOwner> discover(ServerWebExchange exchange, PathObject object, CallerIdentity caller) {
		if (!this.properties.discovery()) {
			return Mono.empty();
		}
		String query = exchange.getRequest().getURI().getRawQuery();
		return Flux.fromIterable(this.backends)
			.flatMap((backend) -> exists(backend, object.path(), query).filter(Boolean::booleanValue)
				.map((found) -> backend))
			.next()
			.timeout(this.properties.discoveryTimeout(), Mono.empty())
			.flatMap((backend) -> {
				this.meters.affinity("discovered");
				ObjectOwner owner = new ObjectOwner(backend.name(), caller.id(), caller.appId());
				return this.monitor
					.observe("affinity.remember",
							this.store.remember(object.id(), owner, this.properties.ttl(), this.clock.instant()))
					.onErrorComplete()
					.thenReturn(owner);
			});
	}

	private Mono<Boolean> exists(Backend backend, String path, @Nullable String query) {
		String base = backend.url().toString().replaceAll("/+$", "");
		String url = base + path + ((query != null) ? "?" + query : "");
		return this.discovery.get()
			.uri(URI.create(url))
			.header("api-key", backend.apiKey().value())
			.exchangeToMono((response) -> response.releaseBody().thenReturn(response.statusCode().is2xxSuccessful()))
			.onErrorReturn(false);
	}

	private Mono<Map<String, ObjectOwner>> lookUp(Set<String> ids, Instant now) {
		if (ids.isEmpty()) {
			return Mono.just(Map.of());
		}
		// Without the store, calls still reach a backend; discovery finds the owner.
		return this.monitor.observe("affinity.lookup", this.store.owners(ids, now)).onErrorReturn(Map.of());
	}

	private boolean mayReach(CallerIdentity caller, ObjectOwner owner) {
		if (owner.caller().equals(caller.id())) {
			return true;
		}
		Sharing sharing = this.properties.sharing();
		return sharing == Sharing.NONE
				|| (sharing == Sharing.APP && owner.app() != null && owner.app().equals(caller.appId()));
	}

	// Rendezvous hashing: each caller gets a stable order of the backends, which changes
	// only for the callers of a backend that is added or removed.
	private List<Backend> homeOrder(CallerIdentity caller) {
		return this.backends.stream()
			.sorted(Comparator.comparing((Backend backend) -> weight(caller.id(), backend.name())).reversed())
			.toList();
	}

	private static String weight(String caller, String backend) {
		return DigestUtils.md5DigestAsHex((caller + "/" + backend).getBytes(StandardCharsets.UTF_8));
	}

	// Tried in the given order. A call with one possible backend is pinned to it:
	// failover may wait for it, never replace it.
	private static Mono<Void> route(ServerWebExchange exchange, GatewayFilterChain chain, GatewayCall call,
			List<Backend> backends, boolean pinned) {
		call.place(new Placement(backends, pinned));
		return chain.filter(exchange);
	}

	private @Nullable Backend backend(String name) {
		return this.backends.stream().filter((backend) -> backend.name().equals(name)).findFirst().orElse(null);
	}

	private Mono<Void> notFoundAnywhere(ServerWebExchange exchange, String id) {
		this.meters.affinity("not_found");
		return notFound(exchange, id);
	}

	private static Mono<Void> notFound(ServerWebExchange exchange, String id) {
		return GatewayErrors.write(exchange,
				new AzureError(HttpStatus.NOT_FOUND, "NotFound", "No object with id '" + id + "' was found."));
	}

	private static Mono<Void> conflict(ServerWebExchange exchange, @Nullable String first, String second) {
		return GatewayErrors.write(exchange,
				new AzureError(HttpStatus.CONFLICT, "ConflictingReferences",
						"'" + first + "' and '" + second
								+ "' live on different Azure OpenAI resources behind this gateway "
								+ "and cannot be used together in one call."));
	}

}
