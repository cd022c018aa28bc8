package io.aoaigateway.usage;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class TokenUsageTests {

	@Test
	void constructorWhenCountNegativeOrAboveCeilingThenIllegalArgument() {
		assertThatIllegalArgumentException().isThrownBy(() -> new TokenUsage(-1, 0, 0, 0));
		assertThatIllegalArgumentException().isThrownBy(() -> new TokenUsage(0, TokenUsage.MAX_TOKENS + 1, 0, 0));
		assertThatIllegalArgumentException().isThrownBy(() -> new TokenUsage(0, 0, Long.MAX_VALUE, 0));
		assertThatIllegalArgumentException().isThrownBy(() -> new TokenUsage(0, 0, 0, Long.MIN_VALUE));
	}

	@Test
	void totalTokensWhenBothAtCeilingThenExactSum() {
		TokenUsage usage = new TokenUsage(TokenUsage.MAX_TOKENS, TokenUsage.MAX_TOKENS, 0, 0);

		assertThat(usage.totalTokens()).isEqualTo(2_000_000_000L);
	}

	@Test
	void addSaturatedWhenSumWouldOverflowThenLongMax() {
		assertThat(TokenUsage.addSaturated(Long.MAX_VALUE, 1)).isEqualTo(Long.MAX_VALUE);
		assertThat(TokenUsage.addSaturated(Long.MAX_VALUE - 5, Long.MAX_VALUE - 5)).isEqualTo(Long.MAX_VALUE);
		assertThat(TokenUsage.addSaturated(Long.MIN_VALUE, -1)).isEqualTo(Long.MIN_VALUE);
		assertThat(TokenUsage.addSaturated(40, 2)).isEqualTo(42);
	}

}
