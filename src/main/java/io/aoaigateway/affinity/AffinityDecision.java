package io.aoaigateway.affinity;

import io.aoaigateway.routing.Placement;

/**
 * What affinity does with one call on stateful objects, as {@link AffinityRules} decided
 * it.
 */
sealed interface AffinityDecision {

	/**
	 * The call goes on.
	 *
	 * @param placement the backends that may serve it
	 * @param learnsOwners whether it creates objects, whose owners are to be remembered
	 * from its answer
	 */
	record Route(Placement placement, boolean learnsOwners) implements AffinityDecision {
	}

	/**
	 * The call answers 404, as if the object did not exist, and no backend is called.
	 *
	 * @param id the object named in the answer
	 * @param reason why
	 */
	record NotFound(String id, Reason reason) implements AffinityDecision {

		/** Why an object cannot be reached. */
		enum Reason {

			/** No backend has it. */
			NOWHERE,

			/**
			 * The object the call works on belongs to someone the caller may not reach.
			 */
			DENIED,

			/**
			 * An object the body refers to belongs to someone the caller may not reach.
			 */
			REFERENCE_DENIED,

			/** Its backend no longer serves stateful APIs. */
			BACKEND_GONE

		}

	}

	/**
	 * The call answers 409: it names objects that live on different backends.
	 *
	 * @param first an object on one backend
	 * @param second an object on another
	 */
	record Conflict(String first, String second) implements AffinityDecision {
	}

}
