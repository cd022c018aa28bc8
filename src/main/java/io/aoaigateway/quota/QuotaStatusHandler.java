package io.aoaigateway.quota;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.aoaigateway.auth.AuthenticatedCaller;
import io.aoaigateway.pricing.Price;
import io.aoaigateway.quota.QuotaPolicies.AppliedWindow;
import io.aoaigateway.state.StateStoreMonitor;
import io.aoaigateway.support.AzureError;
import io.aoaigateway.support.GatewayErrors;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * {@code GET /gateway/quota}: the caller's own quota, every window of every policy that
 * applies to them (tokens, and money budgets in their currency), so that an application
 * can pace itself.
 */
final class QuotaStatusHandler {

	static final String PATH = "/gateway/quota";

	private final QuotaPolicies policies;

	private final QuotaLedger ledger;

	private final StateStoreMonitor monitor;

	private final Clock clock;

	private final String currency;

	QuotaStatusHandler(QuotaPolicies policies, QuotaLedger ledger, StateStoreMonitor monitor, Clock clock,
			String currency) {
		this.policies = policies;
		this.ledger = ledger;
		this.monitor = monitor;
		this.clock = clock;
		this.currency = currency;
	}

	Mono<ServerResponse> status(ServerRequest request) {
		return request.principal()
			.filter(AuthenticatedCaller.class::isInstance)
			.cast(AuthenticatedCaller.class)
			.flatMap((authentication) -> {
				Instant now = this.clock.instant();
				List<AppliedWindow> applied = this.policies.allWindows(authentication.caller(), now);
				return this.monitor
					.observe("quota.read", this.ledger.read(applied.stream().map(AppliedWindow::window).toList(), now))
					.flatMap(
							(states) -> ServerResponse.ok()
								.contentType(MediaType.APPLICATION_JSON)
								.bodyValue(new QuotaStatus(authentication.caller().id(),
										windows(applied, states, this.currency))))
					.onErrorResume((ex) -> GatewayErrors.response(AzureError.of(HttpStatus.SERVICE_UNAVAILABLE,
							"The gateway cannot read your token quota right now; try again shortly.")));
			});
	}

	private static List<WindowStatus> windows(List<AppliedWindow> applied, List<WindowState> states, String currency) {
		List<WindowStatus> windows = new ArrayList<>();
		for (int i = 0; i < applied.size(); i++) {
			AppliedWindow window = applied.get(i);
			WindowState state = states.get(i);
			boolean cost = window.window().unit() == QuotaUnit.COST;
			windows
				.add(new WindowStatus(window.policy().name(), window.policy().scope().name().toLowerCase(Locale.ROOT),
						window.policy().deployment(), window.period().label(), cost ? "cost" : "tokens",
						cost ? currency : null, value(cost, window.window().limit()), value(cost, state.used()),
						value(cost, state.reserved()), value(cost, state.remaining()), window.window().resetsAt()));
		}
		return windows;
	}

	// Cost windows count micro-units: shown in currency units, exactly.
	private static Number value(boolean cost, long amount) {
		return cost ? Price.toCurrency(amount) : amount;
	}

	/**
	 * The answer.
	 *
	 * @param caller the caller's id
	 * @param windows the windows that count the caller's calls
	 */
	record QuotaStatus(String caller, List<WindowStatus> windows) {
	}

	/**
	 * One window as the caller sees it.
	 *
	 * @param policy the policy's name
	 * @param scope whom it counts
	 * @param deployment the deployment it is limited to, if any
	 * @param period {@code minute}, {@code day} or {@code month}
	 * @param unit {@code tokens}, or {@code cost} for a money budget
	 * @param currency the currency of a cost window, null for tokens
	 * @param limit what the window allows: tokens, or an amount of the currency
	 * @param used what was charged
	 * @param reserved what calls in flight hold
	 * @param remaining what is left
	 * @param resetsAt when the window starts afresh
	 */
	record WindowStatus(String policy, String scope, @Nullable String deployment, String period, String unit,
			@Nullable String currency, Number limit, Number used, Number reserved, Number remaining, Instant resetsAt) {
	}

}
