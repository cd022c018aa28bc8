package io.aoaigateway.affinity;

import java.util.Objects;

import io.aoaigateway.affinity.AffinityProperties.Sharing;
import io.aoaigateway.auth.CallerIdentity;

/**
 * Who may reach a stateful object: always the caller who created it, and beyond them
 * whoever {@code aoai.affinity.sharing} lets in.
 */
final class ObjectAccess {

	private final Sharing sharing;

	ObjectAccess(Sharing sharing) {
		this.sharing = Objects.requireNonNull(sharing, "sharing must not be null");
	}

	/**
	 * Whether a caller may reach an object.
	 * @param caller who is calling
	 * @param owner who created the object
	 * @return true for its creator; with {@link Sharing#APP} for every caller of the same
	 * application (an unknown application, on either side, shares with nobody); with
	 * {@link Sharing#NONE} for everyone
	 */
	boolean mayReach(CallerIdentity caller, ObjectOwner owner) {
		if (owner.caller().equals(caller.id())) {
			return true;
		}
		return switch (this.sharing) {
			case CALLER -> false;
			case APP -> owner.app() != null && owner.app().equals(caller.appId());
			case NONE -> true;
		};
	}

}
