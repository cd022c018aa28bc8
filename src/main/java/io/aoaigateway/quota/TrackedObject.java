package io.aoaigateway.quota;

import java.util.List;

import io.aoaigateway.auth.CallerIdentity;
import org.jspecify.annotations.Nullable;

/**
 * A background response or an Assistants run the gateway admitted and still has to charge
 * once it ends, whether or not its caller ever fetches it again.
 *
 * @param id the object's id ({@code resp_…}, {@code run_…})
 * @param backend the name of the backend that holds it
 * @param path where to read it on that backend, with the {@code api-version} query the
 * caller used, e.g. {@code /openai/v1/responses/resp_1}
 * @param callerId whom to charge: the caller's id
 * @param subject the caller's subject
 * @param tenantId the caller's tenant
 * @param appId the caller's app
 * @param roles the caller's roles, for role policies
 * @param groups the caller's groups, for group policies
 * @param trackedAt when the gateway admitted it, in epoch milliseconds
 * @param polls how often it was read without having ended
 */
record TrackedObject(String id, String backend, String path, String callerId, String subject, @Nullable String tenantId,
		@Nullable String appId, List<String> roles, List<String> groups, long trackedAt, int polls) {

	TrackedObject {
		roles = List.copyOf(roles);
		groups = List.copyOf(groups);
	}

	static TrackedObject of(String id, String backend, String path, CallerIdentity caller, long trackedAt) {
		return new TrackedObject(id, backend, path, caller.id(), caller.subject(), caller.tenantId(), caller.appId(),
				caller.roles(), caller.groups(), trackedAt, 0);
	}

	/**
	 * @return the caller to charge (without a display name, which is not kept)
	 */
	CallerIdentity caller() {
		return new CallerIdentity(this.callerId, this.subject, this.tenantId, this.appId, null, this.roles,
				this.groups);
	}

	TrackedObject polledAgain() {
		return new TrackedObject(this.id, this.backend, this.path, this.callerId, this.subject, this.tenantId,
				this.appId, this.roles, this.groups, this.trackedAt, this.polls + 1);
	}

}
