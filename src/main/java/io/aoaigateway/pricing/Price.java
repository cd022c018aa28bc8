package io.aoaigateway.pricing;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import io.aoaigateway.usage.TokenUsage;

/**
 * The prices in force for one deployment from one day on, in currency units per million
 * tokens, and what usage costs at them. Costs are integer micro-units of the currency
 * (10^-6): a price per million tokens times a token count is exactly that many
 * micro-units, so the only rounding is up to a whole micro-unit, once per call. The
 * arithmetic per call is in longs: each price is held as pico-units (10^-12) per token,
 * exact for prices with up to six decimals (a finer one is rounded up, never down).
 *
 * @param from the UTC day the prices apply from
 * @param input price of uncached input tokens
 * @param cachedInput price of cached input tokens
 * @param output price of output tokens that are not reasoning
 * @param reasoning price of reasoning tokens
 */
public record Price(LocalDate from, BigDecimal input, BigDecimal cachedInput, BigDecimal output, BigDecimal reasoning) {

	/** Micro-units per currency unit: the ledger counts cost in micro-units. */
	public static final long MICROS = 1_000_000L;

	// The few distinct prices of a catalogue, each as pico-units per token.
	private static final Map<BigDecimal, Long> PICO_PER_TOKEN = new ConcurrentHashMap<>();

	public Price {
		Objects.requireNonNull(from, "from must not be null");
		requireNotNegative("input", input);
		requireNotNegative("cachedInput", cachedInput);
		requireNotNegative("output", output);
		requireNotNegative("reasoning", reasoning);
	}

	/**
	 * The cost of a call's usage: uncached input, cached input, output that is not
	 * reasoning and reasoning, each at its price. Cached tokens are part of the input and
	 * reasoning tokens part of the output, as Azure reports them (see
	 * {@link TokenUsage}); a part larger than its whole (a broken report) is capped at
	 * the whole.
	 * @param usage the usage
	 * @return the cost in micro-units, rounded up
	 */
	public long costOf(TokenUsage usage) {
		long cached = Math.min(usage.cachedInputTokens(), usage.inputTokens());
		long reasoningTokens = Math.min(usage.reasoningTokens(), usage.outputTokens());
		long pico = add(
				add(times(usage.inputTokens() - cached, pico(this.input)), times(cached, pico(this.cachedInput))),
				add(times(usage.outputTokens() - reasoningTokens, pico(this.output)),
						times(reasoningTokens, pico(this.reasoning))));
		return up(pico);
	}

	/**
	 * The most a call of this size can cost: every input token uncached, every output
	 * token at the dearer of the output and reasoning prices. What a reservation holds.
	 * @param inputTokens input tokens
	 * @param outputTokens output tokens
	 * @return the cost in micro-units, rounded up
	 */
	public long worstCaseOf(long inputTokens, long outputTokens) {
		return up(add(times(inputTokens, pico(this.input)),
				times(outputTokens, Math.max(pico(this.output), pico(this.reasoning)))));
	}

	/**
	 * @param micros a cost in micro-units
	 * @return the cost in currency units, exactly
	 */
	public static BigDecimal toCurrency(long micros) {
		return BigDecimal.valueOf(micros, 6).stripTrailingZeros();
	}

	/**
	 * @param amount an amount in currency units
	 * @return the amount in micro-units, rounded up
	 */
	public static long toMicros(BigDecimal amount) {
		return up(amount.movePointRight(6));
	}

	// A price per million tokens in currency units is that many pico-units per token,
	// rounded up past six decimals. Remembered per price, so that a call allocates
	// nothing for its cost: the keys are the configured and built-in prices only.
	private static long pico(BigDecimal pricePerMillion) {
		return PICO_PER_TOKEN.computeIfAbsent(pricePerMillion,
				(price) -> saturated(price.movePointRight(6).setScale(0, RoundingMode.CEILING)));
	}

	private static long times(long tokens, long picoPerToken) {
		if (tokens <= 0 || picoPerToken == 0) {
			return 0;
		}
		long high = Math.multiplyHigh(tokens, picoPerToken);
		long product = tokens * picoPerToken;
		return (high == 0 && product >= 0) ? product : Long.MAX_VALUE;
	}

	private static long add(long a, long b) {
		long sum = a + b;
		return (sum < 0) ? Long.MAX_VALUE : sum;
	}

	// Pico-units to micro-units, rounded up; far beyond any real call saturates.
	private static long up(long pico) {
		return (pico > Long.MAX_VALUE - 999_999L) ? Long.MAX_VALUE : (pico + 999_999L) / 1_000_000L;
	}

	private static long up(BigDecimal micros) {
		return saturated(micros.setScale(0, RoundingMode.CEILING));
	}

	private static long saturated(BigDecimal whole) {
		return (whole.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) >= 0) ? Long.MAX_VALUE : whole.longValueExact();
	}

	private static void requireNotNegative(String name, BigDecimal price) {
		Objects.requireNonNull(price, () -> name + " must not be null");
		if (price.signum() < 0) {
			throw new IllegalArgumentException(name + " must not be negative, was " + price);
		}
	}

}
