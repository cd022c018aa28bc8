package io.aoaigateway.usage;

/**
 * Usage of a stateful object that reached a terminal state: an Assistants run, or a
 * Responses API response run in the background. Such an object is charged once, however
 * many calls see it end.
 *
 * @param id the object's id ({@code run_…}, {@code resp_…})
 * @param status its terminal status, e.g. {@code completed}, {@code failed},
 * {@code cancelled}, {@code expired} or {@code incomplete}
 * @param usage tokens the whole object used (for a run, not to be added to its steps')
 */
public record ObjectUsage(String id, String status, TokenUsage usage) {

}
