package io.aoaigateway.pricing;

import java.math.BigDecimal;
import java.time.LocalDate;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;
import org.jspecify.annotations.Nullable;

/**
 * One model's prices from one date on, as configured or built in: currency units per
 * million tokens.
 *
 * @param from the UTC day the prices apply from (until the next entry's day)
 * @param input price of input tokens not served from the prompt cache
 * @param cachedInput price of input tokens served from the prompt cache; the input price
 * when not given (never cheaper than the truth)
 * @param output price of output tokens
 * @param reasoning price of reasoning tokens; the output price when not given (Azure
 * bills reasoning tokens as output)
 */
public record PriceEntry(@NotNull LocalDate from, @NotNull @PositiveOrZero BigDecimal input,
		@Nullable @PositiveOrZero BigDecimal cachedInput, @NotNull @PositiveOrZero BigDecimal output,
		@Nullable @PositiveOrZero BigDecimal reasoning) {

	/**
	 * @return the prices, with the defaults filled in
	 */
	Price price() {
		return new Price(this.from, this.input, (this.cachedInput != null) ? this.cachedInput : this.input, this.output,
				(this.reasoning != null) ? this.reasoning : this.output);
	}

}
