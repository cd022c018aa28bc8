package io.aoaigateway.quota;

import java.util.List;

/**
 * The answer to a reservation.
 *
 * @param admitted whether every window had room and the tokens are now reserved in all of
 * them; when not, nothing was reserved anywhere
 * @param windows the windows' states: after the reservation when admitted, as they were
 * when not
 */
public record QuotaDecision(boolean admitted, List<WindowState> windows) {

	public QuotaDecision {
		windows = List.copyOf(windows);
	}

}
