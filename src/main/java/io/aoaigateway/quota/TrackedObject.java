package io.aoaigateway.quota;

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
 * @param caller whom to charge, with the roles and groups its policies need (without a
 * display name, which is not kept)
 * @param trackedAt when the gateway admitted it, in epoch milliseconds: its cost is at
 * the price in force then
 * @param polls how often it was read without having ended
 * @param deployment the deployment of the call that created it, which prices it; null
 * when that call named none (an Assistants run), and the object then costs nothing
 * @param priorityClass the priority class of the call that created it, whose class
 * policies it is charged in; null when priorities are off
 */
record TrackedObject(String id, String backend, String path, CallerIdentity caller, long trackedAt, int polls,
		@Nullable String deployment, @Nullable String priorityClass) {

	static TrackedObject of(String id, String backend, String path, CallerIdentity caller, long trackedAt,
			@Nullable String deployment, @Nullable String priorityClass) {
		CallerIdentity kept = new CallerIdentity(caller.id(), caller.subject(), caller.tenantId(), caller.appId(), null,
				caller.roles(), caller.groups());
		return new TrackedObject(id, backend, path, kept, trackedAt, 0, deployment, priorityClass);
	}

	TrackedObject polledAgain() {
		return new TrackedObject(this.id, this.backend, this.path, this.caller, this.trackedAt, this.polls + 1,
				this.deployment, this.priorityClass);
	}

}
