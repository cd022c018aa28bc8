package io.aoaigateway.quota;

import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;

/**
 * The windows a policy counts in: fixed, aligned to the UTC clock and calendar, so that
 * every replica agrees on where a window starts without talking to the others.
 */
enum QuotaPeriod {

	MINUTE("minute", "per-minute") {
		@Override
		Window at(Instant now) {
			long minute = Math.floorDiv(now.getEpochSecond(), 60);
			return new Window("m" + minute, Instant.ofEpochSecond((minute + 1) * 60));
		}
	},

	DAY("day", "daily") {
		@Override
		Window at(Instant now) {
			LocalDate day = LocalDate.ofInstant(now, ZoneOffset.UTC);
			return new Window("d" + day, day.plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC));
		}
	},

	MONTH("month", "monthly") {
		@Override
		Window at(Instant now) {
			YearMonth month = YearMonth.from(LocalDate.ofInstant(now, ZoneOffset.UTC));
			return new Window("M" + month, month.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC));
		}
	};

	private final String label;

	private final String adjective;

	QuotaPeriod(String label, String adjective) {
		this.label = label;
		this.adjective = adjective;
	}

	/**
	 * @return the period as an adjective, e.g. {@code daily}
	 */
	String adjective() {
		return this.adjective;
	}

	/**
	 * @return the period's name in answers, e.g. {@code minute}
	 */
	String label() {
		return this.label;
	}

	/**
	 * The window that holds an instant.
	 * @param now the instant
	 * @return the window's id and end
	 */
	abstract Window at(Instant now);

	/**
	 * One window of a period.
	 *
	 * @param id unique within the period, e.g. {@code d2026-11-25}
	 * @param resetsAt when the window ends
	 */
	record Window(String id, Instant resetsAt) {
	}

}
