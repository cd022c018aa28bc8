package io.aoaigateway.affinity;

import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * Where a stateful object lives and who created it.
 *
 * @param backend name of the backend (Azure resource) that holds the object
 * @param caller id of the caller who created it (Entra object id)
 * @param app client id of the application that created it, if known
 */
public record ObjectOwner(String backend, String caller, @Nullable String app) {

	public ObjectOwner {
		Objects.requireNonNull(backend, "backend must not be null");
		Objects.requireNonNull(caller, "caller must not be null");
	}

}
