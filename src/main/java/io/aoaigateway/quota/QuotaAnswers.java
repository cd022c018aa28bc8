package io.aoaigateway.quota;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

import io.aoaigateway.observability.GatewayMeters;
import io.aoaigateway.pricing.Price;
import io.aoaigateway.quota.QuotaPolicies.AppliedWindow;
import io.aoaigateway.support.AzureError;
import io.aoaigateway.support.GatewayErrors;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpResponse;

/**
 * What a caller is told about their quota: the remaining-tokens headers on every answer
 * (from token windows only), and the refusals.
 */
final class QuotaAnswers {

	static final String REMAINING_TOKENS = "x-ratelimit-remaining-tokens";

	static final String LIMIT_TOKENS = "x-ratelimit-limit-tokens";

	private QuotaAnswers() {
	}

	/**
	 * Adds the tightest window's remaining tokens and limit to the answer, once the
	 * backend's headers are in (they would otherwise describe the backend, not the
	 * caller).
	 * @param response the answer
	 * @param windows the caller's windows
	 */
	static void addRemainingHeaders(ServerHttpResponse response, List<WindowState> windows) {
		response.beforeCommit(() -> Mono.fromRunnable(() -> setRemaining(response.getHeaders(), windows)));
	}

	/**
	 * Refuses a call that does not fit: 403 when a daily or monthly budget of tokens or
	 * cost is spent (waiting a minute will not help), else 429 with {@code Retry-After}
	 * set to when the minute window starts afresh.
	 * @param response the answer to write
	 * @param applied the windows of the call, with their policies
	 * @param decision the ledger's refusal
	 * @param amount the call's estimate
	 * @param now the current time
	 * @param currency the label of cost budgets' currency
	 * @param meters where the refusal is counted
	 * @return completion of the answer
	 */
	static Mono<Void> rejected(ServerHttpResponse response, List<AppliedWindow> applied, QuotaDecision decision,
			Amount amount, Instant now, String currency, GatewayMeters meters) {
		HttpHeaders headers = response.getHeaders();
		setRemaining(headers, decision.windows());
		List<AppliedWindow> exceeded = applied.stream().filter((window) -> {
			WindowState state = stateOf(window, decision.windows());
			return state.used() + state.reserved() + window.window().of(amount) > window.window().limit();
		}).toList();
		AppliedWindow budget = exceeded.stream()
			.filter((window) -> window.period() != QuotaPeriod.MINUTE)
			.max(Comparator.comparing((AppliedWindow window) -> window.window().resetsAt()))
			.orElse(null);
		if (budget != null) {
			meters.quota("rejected_budget");
			boolean cost = budget.window().unit() == QuotaUnit.COST;
			String limit = cost ? Price.toCurrency(budget.window().limit()).toPlainString() + " " + currency
					: budget.window().limit() + " tokens";
			return GatewayErrors.write(response,
					new AzureError(HttpStatus.FORBIDDEN, "QuotaExceeded",
							"The " + budget.period().adjective() + (cost ? " cost" : " token") + " budget of policy '"
									+ budget.policy().name() + "' (" + limit + ") is spent; it resets at "
									+ budget.window().resetsAt() + "."));
		}
		meters.quota("rejected_rate");
		long tokens = amount.tokens();
		AppliedWindow minute = exceeded.isEmpty() ? applied.stream()
			.filter((window) -> window.window().unit() == QuotaUnit.TOKENS)
			.findFirst()
			.orElse(applied.get(0)) : exceeded.get(0);
		long limit = minute.window().limit();
		if (tokens > limit) {
			return GatewayErrors.write(response,
					new AzureError(HttpStatus.TOO_MANY_REQUESTS, "429",
							"This call needs an estimated " + tokens + " tokens, more than the " + limit
									+ " tokens per minute that policy '" + minute.policy().name()
									+ "' allows; lower max_tokens (or max_completion_tokens) or shorten the prompt."));
		}
		Duration wait = Duration.between(now, minute.window().resetsAt());
		long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
		headers.set(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
		headers.set("retry-after-ms", Long.toString(Math.max(1, wait.toMillis())));
		return GatewayErrors.write(response,
				new AzureError(HttpStatus.TOO_MANY_REQUESTS, "429",
						"Token quota exceeded: policy '" + minute.policy().name() + "' allows " + limit
								+ " tokens per minute. Try again in " + seconds + " seconds."));
	}

	private static WindowState stateOf(AppliedWindow window, List<WindowState> states) {
		return states.stream()
			.filter((state) -> state.window().key().equals(window.window().key()))
			.findFirst()
			.orElse(new WindowState(window.window(), 0, 0));
	}

	private static void setRemaining(HttpHeaders headers, List<WindowState> windows) {
		windows.stream()
			.filter((state) -> state.window().unit() == QuotaUnit.TOKENS)
			.min(Comparator.comparingLong(WindowState::remaining))
			.ifPresent((tightest) -> {
				headers.set(REMAINING_TOKENS, Long.toString(tightest.remaining()));
				headers.set(LIMIT_TOKENS, Long.toString(tightest.window().limit()));
			});
	}

}
