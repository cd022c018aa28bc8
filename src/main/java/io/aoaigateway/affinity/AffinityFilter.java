package io.aoaigateway.affinity;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import io.aoaigateway.affinity.AffinityDecision.Conflict;
import io.aoaigateway.affinity.AffinityDecision.NotFound;
import io.aoaigateway.affinity.AffinityDecision.Route;
import io.aoaigateway.affinity.ObjectIds.PathObject;
import io.aoaigateway.auth.CallerIdentity;
import io.aoaigateway.observability.GatewayMeters;
import io.aoaigateway.routing.ApiOperation;
import io.aoaigateway.routing.BackendDeployment;
import io.aoaigateway.routing.GatewayCall;
import io.aoaigateway.routing.RouteTarget;
import io.aoaigateway.state.StateStoreMonitor;
import io.aoaigateway.support.AzureError;
import io.aoaigateway.support.GatewayErrors;
import io.aoaigateway.usage.AnswerIds;
import io.aoaigateway.usage.MeteredCall;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ServerWebExchange;

/**
 * Places calls on stateful objects ({@link AffinityRules}): on the backend that owns
 * their object, or for new objects on the caller's home backend. Owners come from the
 * shared {@link AffinityStore}, else from {@link OwnerDiscovery}, and are learned from
 * the answers that create objects. An object the caller may not reach answers 404, as if
 * it did not exist.
 */
final class AffinityFilter implements GlobalFilter, Ordered {

	/** After the route resolved its family, before quotas and failover. */
	static final int ORDER = 50;

	// Azure keeps image operations for a day.
	private static final Duration IMAGE_OPERATION_TTL = Duration.ofHours(24);

	private final AffinityRules rules;

	private final OwnerDiscovery discovery;

	private final AffinityStore store;

	private final Duration ttl;

	private final StateStoreMonitor monitor;

	private final Clock clock;

	private final GatewayMeters meters;

	AffinityFilter(AffinityRules rules, OwnerDiscovery discovery, AffinityStore store, Duration ttl,
			StateStoreMonitor monitor, Clock clock, GatewayMeters meters) {
		this.rules = rules;
		this.discovery = discovery;
		this.store = store;
		this.ttl = ttl;
		this.monitor = monitor;
		this.clock = clock;
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
		Set<String> references = call.facts().references();
		return owners(object, references, caller, exchange.getRequest().getURI().getRawQuery()).flatMap((owners) -> {
			boolean create = object == null && HttpMethod.POST.equals(exchange.getRequest().getMethod());
			// A Responses create is whole in itself: it goes where its model is. (An
			// assistant must stay beside the threads it will run on.)
			Set<String> hosting = (target.operation() == ApiOperation.RESPONSES) ? target.bodyModel().keySet()
					: Set.of();
			AffinityDecision decision = this.rules.decide(caller, (object != null) ? object.id() : null, references,
					owners, create, hosting);
			if (decision instanceof Route route) {
				if (route.learnsOwners()) {
					learnFromAnswer(call, caller, path, true);
				}
				else if (object != null && ObjectIds.makesObjects(object)) {
					// A response fetched or streamed later (in the background) names
					// output items, a completed upload its file: they live where it does.
					learnFromAnswer(call, caller, path, false);
				}
				call.place(route.placement());
				return chain.filter(exchange);
			}
			return (decision instanceof NotFound notFound) ? notFound(exchange, notFound)
					: conflict(exchange, (Conflict) decision);
		});
	}

	// The owners the store knows; for the object the call works on, when the store does
	// not know it, the one discovery finds.
	private Mono<Map<String, ObjectOwner>> owners(@Nullable PathObject object, Set<String> references,
			CallerIdentity caller, @Nullable String query) {
		Set<String> ids = new LinkedHashSet<>();
		if (object != null) {
			ids.add(object.id());
		}
		ids.addAll(references);
		return lookUp(ids).flatMap((known) -> {
			if (object == null) {
				return Mono.just(known);
			}
			if (known.containsKey(object.id())) {
				this.meters.affinity("hit");
				return Mono.just(known);
			}
			return this.discovery.find(object.path(), query).flatMap((backend) -> {
				this.meters.affinity("discovered");
				// The caller who found it owns the entry.
				ObjectOwner owner = new ObjectOwner(backend.name(), caller.id(), caller.appId());
				Map<String, ObjectOwner> found = new HashMap<>(known);
				found.put(object.id(), owner);
				return remember(List.of(object.id()), owner, this.ttl).thenReturn(found);
			}).defaultIfEmpty(known);
		});
	}

	private Mono<Map<String, ObjectOwner>> lookUp(Set<String> ids) {
		if (ids.isEmpty()) {
			return Mono.just(Map.of());
		}
		// Without the store, calls still reach a backend; discovery finds the owner.
		return this.monitor.observe("affinity.lookup", this.store.owners(ids, this.clock.instant()))
			.onErrorReturn(Map.of());
	}

	// A JSON answer (up to 1 MiB) is held until its objects and output items are
	// recorded, so that no follow-up call can overtake the record; a stream's (or a
	// larger answer's) are recorded when it ends (a call overtaking that record finds a
	// path object by discovery; an item it refers to is not found, and the call goes
	// where its other references lead).
	private void learnFromAnswer(GatewayCall call, CallerIdentity caller, String path, boolean objects) {
		MeteredCall metered = call.metered();
		Duration ttl = path.contains("/images/") ? IMAGE_OPERATION_TTL : this.ttl;
		Function<AnswerIds, List<String>> learned = objects ? AnswerIds::all : AnswerIds::items;
		metered.beforeAnswer((ids) -> rememberCreated(call, caller, learned.apply(ids), ttl));
		metered.onFinish((usage) -> {
			// A stream, or a JSON answer too large to hold.
			if (usage.succeeded() && !metered.held()) {
				rememberCreated(call, caller, learned.apply(usage.ids()), ttl).subscribe();
			}
		});
	}

	private Mono<Void> rememberCreated(GatewayCall call, CallerIdentity caller, List<String> ids, Duration ttl) {
		BackendDeployment selected = call.attempts().current();
		if (selected == null || ids.isEmpty()) {
			return Mono.empty();
		}
		return remember(ids, new ObjectOwner(selected.backend().name(), caller.id(), caller.appId()), ttl);
	}

	private Mono<Void> remember(List<String> ids, ObjectOwner owner, Duration ttl) {
		Flux<Void> writes = Flux.fromIterable(ids)
			.flatMap((id) -> this.store.remember(id, owner, ttl, this.clock.instant()));
		return this.monitor.observe("affinity.remember", writes.then()).onErrorComplete();
	}

	private Mono<Void> notFound(ServerWebExchange exchange, NotFound notFound) {
		switch (notFound.reason()) {
			case NOWHERE -> this.meters.affinity("not_found");
			case DENIED -> this.meters.affinity("denied");
			case REFERENCE_DENIED, BACKEND_GONE -> {
			}
		}
		return GatewayErrors.write(exchange, new AzureError(HttpStatus.NOT_FOUND, "NotFound",
				"No object with id '" + notFound.id() + "' was found."));
	}

	private Mono<Void> conflict(ServerWebExchange exchange, Conflict conflict) {
		this.meters.affinity("conflict");
		return GatewayErrors.write(exchange,
				new AzureError(HttpStatus.CONFLICT, "ConflictingReferences",
						"'" + conflict.first() + "' and '" + conflict.second()
								+ "' live on different Azure OpenAI resources behind this gateway "
								+ "and cannot be used together in one call."));
	}

}
