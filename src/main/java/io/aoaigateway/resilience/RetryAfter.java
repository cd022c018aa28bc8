package io.aoaigateway.resilience;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;

/**
 * How long Azure OpenAI asks a caller to wait, read from a response's headers.
 * <p>
 * Headers are tried in order of precision: {@code retry-after-ms} (milliseconds, possibly
 * fractional), {@code retry-after} (whole seconds or an HTTP-date), then the larger of
 * {@code x-ratelimit-reset-requests} and {@code x-ratelimit-reset-tokens} (durations such
 * as {@code 1s}, {@code 250ms}, {@code 1m30s} or a bare number of seconds). A value that
 * does not parse, is negative, or is longer than {@link #LONGEST} is ignored and the next
 * header is tried: one broken header must not make a backend cool down for days.
 */
public final class RetryAfter {

	/**
	 * The longest wait believed; anything longer is taken for a broken header.
	 */
	public static final Duration LONGEST = Duration.ofHours(24);

	private static final Pattern WHOLE_SECONDS = Pattern.compile("\\d+");

	private static final Pattern DECIMAL = Pattern.compile("\\d+(\\.\\d+)?");

	// "ms" before "m": otherwise "250ms" would read as 250 minutes and a stray "s".
	private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(h|ms|m|s)");

	private static final BigDecimal NANOS_PER_MILLI = BigDecimal.valueOf(1_000_000);

	private static final BigDecimal NANOS_PER_SECOND = BigDecimal.valueOf(1_000_000_000);

	private static final BigDecimal NANOS_PER_MINUTE = NANOS_PER_SECOND.multiply(BigDecimal.valueOf(60));

	private static final BigDecimal NANOS_PER_HOUR = NANOS_PER_MINUTE.multiply(BigDecimal.valueOf(60));

	private static final BigDecimal LONGEST_NANOS = BigDecimal.valueOf(LONGEST.toNanos());

	private RetryAfter() {
	}

	/**
	 * Reads how long to wait from a response's headers.
	 * @param headers the response's headers
	 * @param now the current time, against which an HTTP-date in {@code retry-after} is
	 * measured
	 * @return the wait, or empty when no header gives a believable one
	 */
	public static Optional<Duration> from(HttpHeaders headers, Instant now) {
		Duration wait = millis(headers.getFirst("retry-after-ms"));
		if (wait == null) {
			wait = retryAfter(headers, now);
		}
		if (wait == null) {
			wait = longer(reset(headers.getFirst("x-ratelimit-reset-requests")),
					reset(headers.getFirst("x-ratelimit-reset-tokens")));
		}
		return Optional.ofNullable(wait);
	}

	/**
	 * How long a 429 benches a deployment: the wait its headers ask for, else the
	 * default, and never longer than the cap (Azure's own waits are seconds to a minute;
	 * a day-long {@code retry-after} must not take a deployment out of every replica's
	 * pool for a day).
	 * @param headers the 429's headers
	 * @param now the current time
	 * @param defaultCooldown the wait when no header gives a believable one
	 * @param cap the longest wait
	 * @return the wait
	 */
	public static Duration cooldown(HttpHeaders headers, Instant now, Duration defaultCooldown, Duration cap) {
		Duration wait = from(headers, now).orElse(defaultCooldown);
		return (wait.compareTo(cap) > 0) ? cap : wait;
	}

	private static @Nullable Duration millis(@Nullable String value) {
		if (value == null || !DECIMAL.matcher(value.trim()).matches()) {
			return null;
		}
		return believable(new BigDecimal(value.trim()).multiply(NANOS_PER_MILLI));
	}

	private static @Nullable Duration retryAfter(HttpHeaders headers, Instant now) {
		String value = headers.getFirst(HttpHeaders.RETRY_AFTER);
		if (value == null) {
			return null;
		}
		if (WHOLE_SECONDS.matcher(value.trim()).matches()) {
			return believable(new BigDecimal(value.trim()).multiply(NANOS_PER_SECOND));
		}
		ZonedDateTime date;
		try {
			date = headers.getFirstZonedDateTime(HttpHeaders.RETRY_AFTER);
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
		if (date == null) {
			return null;
		}
		// A date in the past gives a negative wait, which is ignored like any other.
		return believable(BigDecimal.valueOf(Duration.between(now, date.toInstant()).toNanos()));
	}

	// Go-style durations as OpenAI writes them ("1s", "250ms", "1m30s", "6m0s", "0.5s"),
	// or a bare number of seconds.
	private static @Nullable Duration reset(@Nullable String value) {
		if (value == null) {
			return null;
		}
		String text = value.trim();
		if (DECIMAL.matcher(text).matches()) {
			return believable(new BigDecimal(text).multiply(NANOS_PER_SECOND));
		}
		Matcher part = DURATION_PART.matcher(text);
		BigDecimal nanos = BigDecimal.ZERO;
		int end = 0;
		while (end < text.length() && part.find(end) && part.start() == end) {
			nanos = nanos.add(new BigDecimal(part.group(1)).multiply(unit(part.group(2))));
			end = part.end();
		}
		if (end == 0 || end != text.length()) {
			return null;
		}
		return believable(nanos);
	}

	private static BigDecimal unit(String unit) {
		return switch (unit) {
			case "h" -> NANOS_PER_HOUR;
			case "m" -> NANOS_PER_MINUTE;
			case "s" -> NANOS_PER_SECOND;
			default -> NANOS_PER_MILLI;
		};
	}

	// Rounded up to the next nanosecond: a caller never retries early.
	private static @Nullable Duration believable(BigDecimal nanos) {
		if (nanos.signum() < 0 || nanos.compareTo(LONGEST_NANOS) > 0) {
			return null;
		}
		return Duration.ofNanos(nanos.setScale(0, RoundingMode.CEILING).longValueExact());
	}

	private static @Nullable Duration longer(@Nullable Duration a, @Nullable Duration b) {
		if (a == null) {
			return b;
		}
		if (b == null) {
			return a;
		}
		return (a.compareTo(b) >= 0) ? a : b;
	}

}
