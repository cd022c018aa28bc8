package io.aoaigateway.warmup;

import java.time.Duration;

import jakarta.validation.constraints.Min;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The warm-up a replica runs before it reports ready.
 *
 * @param enabled whether to warm up before reporting ready
 * @param timeout longest the warm-up may hold readiness back; past it the replica reports
 * ready anyway (one log line says which step was cut short)
 * @param parserRounds how many recorded answers and streams each response parser reads,
 * enough for the JIT to compile the per-chunk path
 */
@Validated
@ConfigurationProperties("aoai.warm-up")
public record WarmUpProperties(@DefaultValue("true") boolean enabled, @DefaultValue("30s") Duration timeout,
		@DefaultValue("3000") @Min(0) int parserRounds) {

}
