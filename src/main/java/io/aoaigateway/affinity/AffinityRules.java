package io.aoaigateway.affinity;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.aoaigateway.affinity.AffinityDecision.Conflict;
import io.aoaigateway.affinity.AffinityDecision.NotFound;
import io.aoaigateway.affinity.AffinityDecision.NotFound.Reason;
import io.aoaigateway.affinity.AffinityDecision.Route;
import io.aoaigateway.auth.CallerIdentity;
import io.aoaigateway.routing.Backend;
import io.aoaigateway.routing.Placement;
import org.jspecify.annotations.Nullable;

/**
 * Where a call on stateful objects goes, once the owners of the objects it names are
 * known: to the backend of the object it works on, else to the backend of the objects its
 * body refers to, else to the caller's home backend; never to objects the caller may not
 * reach, nor across backends.
 */
final class AffinityRules {

	private final ObjectAccess access;

	private final HomeOrder homes;

	private final Map<String, Backend> byName;

	AffinityRules(ObjectAccess access, HomeOrder homes) {
		this.access = access;
		this.homes = homes;
		this.byName = homes.backends()
			.stream()
			.collect(Collectors.toUnmodifiableMap(Backend::name, Function.identity(), (first, second) -> first));
	}

	/**
	 * Decides a call.
	 * @param caller who is calling
	 * @param object the id of the object the path works on, null for a collection
	 * (create, list)
	 * @param references the ids the body refers to, in order of appearance
	 * @param owners the known owners of these ids (the object's, when no backend has it,
	 * is missing)
	 * @param create whether the call creates objects (a POST on a collection)
	 * @return the decision
	 */
	AffinityDecision decide(CallerIdentity caller, @Nullable String object, Set<String> references,
			Map<String, ObjectOwner> owners, boolean create) {
		return decide(caller, object, references, owners, create, Set.of());
	}

	/**
	 * Decides a call whose body names a model that only some backends host.
	 * @param caller who is calling
	 * @param object the id of the object the path works on, null for a collection
	 * @param references the ids the body refers to, in order of appearance
	 * @param owners the known owners of these ids
	 * @param create whether the call creates objects
	 * @param hosting the backends that host the body's model, empty when it names none
	 * the pool knows: a create without references goes to the first of them in the
	 * caller's order (to any stateful backend when none of them is one)
	 * @return the decision
	 */
	AffinityDecision decide(CallerIdentity caller, @Nullable String object, Set<String> references,
			Map<String, ObjectOwner> owners, boolean create, Set<String> hosting) {
		return (object != null) ? onObject(caller, object, references, owners)
				: onCollection(caller, references, owners, create, hosting);
	}

	// A call on an object is pinned to its backend; what it refers to must live there.
	private AffinityDecision onObject(CallerIdentity caller, String id, Set<String> references,
			Map<String, ObjectOwner> owners) {
		ObjectOwner owner = owners.get(id);
		if (owner == null) {
			return new NotFound(id, Reason.NOWHERE);
		}
		if (!this.access.mayReach(caller, owner)) {
			return new NotFound(id, Reason.DENIED);
		}
		Backend backend = this.byName.get(owner.backend());
		if (backend == null) {
			return new NotFound(id, Reason.BACKEND_GONE);
		}
		for (String reference : references) {
			ObjectOwner other = owners.get(reference);
			if (other == null || reference.equals(id)) {
				continue;
			}
			if (!this.access.mayReach(caller, other)) {
				return new NotFound(reference, Reason.REFERENCE_DENIED);
			}
			if (!other.backend().equals(owner.backend())) {
				return new Conflict(id, reference);
			}
		}
		return new Route(new Placement(List.of(backend), true), false);
	}

	// A create or a list: on the backend of the known objects it refers to, else on the
	// caller's home backend.
	private AffinityDecision onCollection(CallerIdentity caller, Set<String> references,
			Map<String, ObjectOwner> owners, boolean create, Set<String> hosting) {
		String first = null;
		String firstBackend = null;
		for (String reference : references) {
			ObjectOwner owner = owners.get(reference);
			if (owner == null) {
				continue;
			}
			if (!this.access.mayReach(caller, owner)) {
				return new NotFound(reference, Reason.REFERENCE_DENIED);
			}
			if (first != null && !owner.backend().equals(firstBackend)) {
				return new Conflict(first, reference);
			}
			// The conflict names the last reference seen on the first backend.
			first = reference;
			firstBackend = owner.backend();
		}
		Backend referenced = (firstBackend != null) ? this.byName.get(firstBackend) : null;
		if (referenced != null) {
			return new Route(new Placement(List.of(referenced), true), create);
		}
		// A list is served by the home backend; a create may move on when the home one
		// throttles, since nothing was created.
		List<Backend> order = this.homes.of(caller.id());
		if (create && !hosting.isEmpty()) {
			List<Backend> hosts = order.stream().filter((backend) -> hosting.contains(backend.name())).toList();
			order = hosts.isEmpty() ? order : hosts;
		}
		Placement placement = create ? new Placement(order, false) : new Placement(order.subList(0, 1), true);
		return new Route(placement, create);
	}

}
