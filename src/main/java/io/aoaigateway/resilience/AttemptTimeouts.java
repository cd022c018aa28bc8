package io.aoaigateway.resilience;

import java.time.Duration;

import io.aoaigateway.routing.ApiOperation;
import io.aoaigateway.routing.RequestFacts;
import io.aoaigateway.routing.RouteTarget;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpMethod;

/**
 * How long one attempt may wait for a backend's response headers. Azure sends the headers
 * of a non-streamed inference answer only once the whole answer is generated, so those
 * calls get {@code generation-timeout}; a streamed answer's headers come before its first
 * token and every other call generates nothing, so they get the shorter
 * {@code attempt-timeout}.
 */
final class AttemptTimeouts {

	private final Duration attemptTimeout;

	private final Duration generationTimeout;

	AttemptTimeouts(Duration attemptTimeout, Duration generationTimeout) {
		this.attemptTimeout = attemptTimeout;
		this.generationTimeout = generationTimeout;
	}

	/**
	 * The time-to-headers limit of each attempt of a call.
	 * @param method the call's method
	 * @param target what the call was resolved to; any call naming a deployment is
	 * inference
	 * @param facts what its JSON body holds
	 * @return the limit
	 */
	Duration of(@Nullable HttpMethod method, RouteTarget target, RequestFacts facts) {
		boolean generates = HttpMethod.POST.equals(method)
				&& (!target.stateful() || target.operation() == ApiOperation.RESPONSES);
		return (generates && !facts.stream()) ? this.generationTimeout : this.attemptTimeout;
	}

}
