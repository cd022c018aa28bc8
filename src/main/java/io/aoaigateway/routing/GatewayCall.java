package io.aoaigateway.routing;

import java.util.List;
import java.util.Objects;

import io.aoaigateway.auth.CallerIdentity;
import io.aoaigateway.usage.MeteredCall;
import org.jspecify.annotations.Nullable;

/**
 * Everything the gateway knows of one call, typed, in one place: created by the first
 * gateway filter and carried in the exchange under {@link #ATTRIBUTE}, the only exchange
 * attribute the gateway's filters share.
 * <p>
 * Each member has one owning package that writes it, once; the others only read it
 * ({@code ArchitectureTests} holds the writers to that):
 * <ul>
 * <li>the caller and the metered call: set at creation ({@code routing}, from
 * {@code auth}'s authentication);</li>
 * <li>the request body and its facts, and the route target: {@code routing};</li>
 * <li>the placement of a call on stateful objects: {@code affinity};</li>
 * <li>the body amendment: {@code quota};</li>
 * <li>the priority class: {@code priority};</li>
 * <li>the attempts: {@code resilience}.</li>
 * </ul>
 */
public final class GatewayCall {

	/** The exchange attribute that holds the call. */
	public static final String ATTRIBUTE = "aoai.gateway.call";

	private final @Nullable CallerIdentity caller;

	private final MeteredCall metered = new MeteredCall();

	private final Attempts attempts = new Attempts();

	private final long startNanos;

	private byte @Nullable [] body;

	private RequestFacts facts = RequestFacts.NONE;

	private @Nullable RouteTarget target;

	private @Nullable Placement placement;

	private @Nullable BodyAmendment amendment;

	private @Nullable String priorityClass;

	// The body as sent (amended, the model renamed for one backend), kept for the
	// attempts that send the same.
	private byte @Nullable [] outgoing;

	private @Nullable String outgoingModel;

	GatewayCall(@Nullable CallerIdentity caller, long startNanos) {
		this.caller = caller;
		this.startNanos = startNanos;
	}

	/**
	 * @return who is calling, null when the call was not authenticated by a token
	 */
	public @Nullable CallerIdentity caller() {
		return this.caller;
	}

	/**
	 * @return what the response tells of the call's token usage
	 */
	public MeteredCall metered() {
		return this.metered;
	}

	/**
	 * @return the call's attempts
	 */
	public Attempts attempts() {
		return this.attempts;
	}

	/**
	 * @return {@link System#nanoTime()} when the call reached the gateway's filters
	 */
	public long startNanos() {
		return this.startNanos;
	}

	/**
	 * @return the JSON body as the caller sent it, null when it was not read (uploads,
	 * calls without a body)
	 */
	public byte @Nullable [] body() {
		return this.body;
	}

	/**
	 * @return what the body holds; {@link RequestFacts#NONE} when it was not read
	 */
	public RequestFacts facts() {
		return this.facts;
	}

	/**
	 * @return what the route resolved the call to, null before the route's filter ran
	 */
	public @Nullable RouteTarget target() {
		return this.target;
	}

	/**
	 * @return the backends that may serve the call: affinity's placement when it placed
	 * the call, else the route's candidates
	 */
	public Candidates candidates() {
		Placement placed = this.placement;
		if (placed != null) {
			List<BackendDeployment> order = placed.order()
				.stream()
				.map((backend) -> new BackendDeployment(backend, ""))
				.toList();
			return new Candidates(order, Candidates.Order.FIXED, placed.pinned() || order.size() == 1);
		}
		RouteTarget routed = this.target;
		return (routed != null) ? routed.candidates() : new Candidates(List.of(), Candidates.Order.FIXED, true);
	}

	/**
	 * @return the amendment quotas asked for, null for none
	 */
	public @Nullable BodyAmendment amendment() {
		return this.amendment;
	}

	/**
	 * @return the priority class the call runs in, null when priorities are off (or
	 * before {@code priority}'s filter ran)
	 */
	public @Nullable String priorityClass() {
		return this.priorityClass;
	}

	/**
	 * @return whether the body can be sent again to another backend: it was read into
	 * memory, or there is none
	 */
	public boolean hasBody() {
		return this.body != null;
	}

	// Writers, each called by its owning package only.

	void readBody(byte[] body, RequestFacts facts) {
		this.body = body;
		this.facts = facts;
	}

	void route(RouteTarget target) {
		this.target = target;
	}

	/**
	 * Places a call on stateful objects (affinity only).
	 * @param placement where it may go
	 */
	public void place(Placement placement) {
		this.placement = placement;
	}

	/**
	 * Puts the call in a priority class (priority only).
	 * @param name the class's name
	 */
	public void prioritize(String name) {
		this.priorityClass = name;
	}

	/**
	 * Asks for members to be added to the body (quotas only).
	 * @param amendment what to add
	 */
	public void amend(BodyAmendment amendment) {
		this.amendment = amendment.isEmpty() ? null : amendment;
		this.outgoing = null;
	}

	/**
	 * The body the current attempt sends: amended, and naming the deployment by the
	 * chosen backend's name when the body names it (a stateful call's model too, when the
	 * backend hosts it under another name).
	 * @return the bytes
	 */
	byte[] attemptBody() {
		RouteTarget routed = this.target;
		BackendDeployment current = this.attempts.current();
		if (routed == null || current == null) {
			return outgoingBody(null);
		}
		if (routed.source() == RouteTarget.DeploymentSource.BODY) {
			return outgoingBody(current.azureName());
		}
		return outgoingBody(routed.bodyModel().get(current.backend().name()));
	}

	private byte[] outgoingBody(@Nullable String model) {
		byte[] original = this.body;
		if (original == null) {
			return new byte[0];
		}
		byte[] cached = this.outgoing;
		if (cached != null && Objects.equals(this.outgoingModel, model)) {
			return cached;
		}
		byte[] bytes = original;
		if (model != null && this.facts.modelStart() >= 0 && !model.equals(this.facts.model())) {
			bytes = RequestBodies.replaceModel(bytes, this.facts, model);
		}
		BodyAmendment amending = this.amendment;
		if (amending != null) {
			bytes = RequestBodies.amend(bytes, this.facts, amending);
		}
		this.outgoing = bytes;
		this.outgoingModel = model;
		return bytes;
	}

}
