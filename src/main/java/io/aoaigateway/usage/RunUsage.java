package io.aoaigateway.usage;

/**
 * Usage of an Assistants run that reached a terminal state, as a streamed
 * {@code thread.run.<status>} event reported it.
 *
 * @param runId the run's id ({@code run_...}); charge each run once
 * @param status the run's status: {@code completed}, {@code failed}, {@code cancelled},
 * {@code expired} or {@code incomplete}
 * @param usage tokens the whole run used (not to be added to its steps' usage)
 */
public record RunUsage(String runId, String status, TokenUsage usage) {

}
