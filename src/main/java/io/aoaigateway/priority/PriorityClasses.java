package io.aoaigateway.priority;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.aoaigateway.auth.CallerIdentity;
import io.aoaigateway.priority.PriorityProperties.PriorityClassSpec;
import io.aoaigateway.priority.PriorityProperties.Rule;
import org.jspecify.annotations.Nullable;

/**
 * The configured classes, and which one a call runs in: the class of the first rule that
 * matches its caller (else the default class), or a lower one the caller asks for in the
 * priority header. Asking for a higher class than one's own grants one's own: the header
 * can only lower a call's priority.
 */
public final class PriorityClasses {

	private final Map<String, PriorityClass> byName;

	private final List<Rule> rules;

	private final @Nullable PriorityClass defaultClass;

	/**
	 * @param properties the configuration
	 */
	public PriorityClasses(PriorityProperties properties) {
		Map<String, PriorityClass> classes = new LinkedHashMap<>();
		int reservedAbove = 0;
		List<PriorityClassSpec> specs = properties.classes();
		for (int rank = 0; rank < specs.size(); rank++) {
			PriorityClassSpec spec = specs.get(rank);
			classes.put(spec.name(), new PriorityClass(spec.name(), rank, reservedAbove / 100.0, spec.maxWait(),
					spec.maxQueued(), spec.maxQueuedPerCaller()));
			reservedAbove += spec.reservedShare();
		}
		this.byName = Collections.unmodifiableMap(classes);
		this.rules = List.copyOf(properties.rules());
		String fallback = (properties.defaultClass() != null) ? properties.defaultClass()
				: specs.isEmpty() ? null : specs.get(specs.size() - 1).name();
		this.defaultClass = (fallback != null) ? classes.get(fallback) : null;
	}

	/**
	 * @return whether any class is configured
	 */
	public boolean enabled() {
		return this.defaultClass != null;
	}

	/**
	 * @return the classes, highest first
	 */
	public List<PriorityClass> all() {
		return new ArrayList<>(this.byName.values());
	}

	/**
	 * The class of a given name.
	 * @param name a class name, as {@code GatewayCall.priorityClass()} holds it
	 * @return the class; {@link PriorityClass#NONE} for null or a name not configured
	 */
	public PriorityClass of(@Nullable String name) {
		PriorityClass found = (name != null) ? this.byName.get(name) : null;
		return (found != null) ? found : PriorityClass.NONE;
	}

	/**
	 * The class a call runs in.
	 * @param caller who calls
	 * @param asked the class named in the priority header, null when absent (a blank
	 * value counts as absent)
	 * @return the class, or null when {@code asked} names no class
	 */
	public @Nullable PriorityClass classify(CallerIdentity caller, @Nullable String asked) {
		PriorityClass own = own(caller);
		if (asked == null || asked.isBlank()) {
			return own;
		}
		PriorityClass wanted = this.byName.get(asked.trim());
		if (wanted == null) {
			return null;
		}
		return (wanted.rank() > own.rank()) ? wanted : own;
	}

	private PriorityClass own(CallerIdentity caller) {
		for (Rule rule : this.rules) {
			if (matches(rule, caller)) {
				return this.byName.get(rule.className());
			}
		}
		PriorityClass fallback = this.defaultClass;
		return (fallback != null) ? fallback : PriorityClass.NONE;
	}

	private static boolean matches(Rule rule, CallerIdentity caller) {
		return (caller.appId() != null && rule.apps().contains(caller.appId()))
				|| rule.roles().stream().anyMatch(caller.roles()::contains)
				|| rule.groups().stream().anyMatch(caller.groups()::contains);
	}

}
