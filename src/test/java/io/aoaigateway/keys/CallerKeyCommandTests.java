package io.aoaigateway.keys;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.aoaigateway.FakeClock;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link CallerKeyCommand}: the key on the first line, then a record the gateway reads,
 * and usage errors that make nothing.
 */
class CallerKeyCommandTests {

	private final FakeClock clock = new FakeClock(Instant.parse("2026-03-01T10:00:00Z"));

	private final ByteArrayOutputStream out = new ByteArrayOutputStream();

	private final ByteArrayOutputStream err = new ByteArrayOutputStream();

	@Test
	void createWhenGivenEverythingThenKeyOnTheFirstLineAndARecordThatVerifiesIt() {
		int status = run("caller-key", "create", "--app", "billing", "--name", "invoice-run", "--owner",
				"billing-team@example.com", "--expires=2027-01-01T00:00:00Z", "--role", "Batch", "--group", "g-1");

		assertThat(status).isZero();
		String[] lines = this.out.toString(StandardCharsets.UTF_8).split("\n", 2);
		String key = lines[0];
		List<CallerKey> records = ConfiguredCallerKeyStore
			.parse(("keys:\n" + ConfiguredCallerKeyStoreTests.indent(lines[1])).getBytes(StandardCharsets.UTF_8));
		assertThat(records).singleElement().satisfies((record) -> {
			assertThat(record.app()).isEqualTo("billing");
			assertThat(record.name()).isEqualTo("invoice-run");
			assertThat(record.owner()).isEqualTo("billing-team@example.com");
			assertThat(record.createdAt()).isEqualTo(this.clock.instant());
			assertThat(record.expiresAt()).isEqualTo(Instant.parse("2027-01-01T00:00:00Z"));
			assertThat(record.roles()).containsExactly("Batch");
			assertThat(record.groups()).containsExactly("g-1");
			assertThat(key).startsWith(record.prefix() + "_");
			assertThat(CallerKeyFormat.matches(CallerKeyFormat.decode(record.salt()),
					CallerKeyFormat.decode(record.hash()), key))
				.isTrue();
		});
		assertThat(lines[1]).doesNotContain(key.substring(16));
		assertThat(this.err.toString(StandardCharsets.UTF_8)).isEmpty();
	}

	@Test
	void createWhenNameHasYamlSpecialCharactersThenReadBackExactly() {
		String name = "nightly: #1 'reports' - \"eu\"";

		run("caller-key", "create", "--app", "billing", "--name", name, "--owner", "- team");

		String record = this.out.toString(StandardCharsets.UTF_8).split("\n", 2)[1];
		CallerKey read = ConfiguredCallerKeyStore
			.parse(("keys:\n" + ConfiguredCallerKeyStoreTests.indent(record)).getBytes(StandardCharsets.UTF_8))
			.get(0);
		assertThat(read.name()).isEqualTo(name);
		assertThat(read.owner()).isEqualTo("- team");
	}

	@Test
	void createWhenSomethingMissingOrWrongThenUsageAndNoKey() {
		assertThat(run("caller-key")).isEqualTo(2);
		assertThat(run("caller-key", "create", "--app", "billing", "--name", "n")).isEqualTo(2);
		assertThat(run("caller-key", "create", "--app", "bad app", "--name", "n", "--owner", "o")).isEqualTo(2);
		assertThat(run("caller-key", "create", "--app", "a", "--name", "n", "--owner", "o", "--expires", "tomorrow"))
			.isEqualTo(2);
		assertThat(run("caller-key", "create", "--app", "a", "--name", "n", "--owner", "o", "--expires",
				this.clock.instant().minus(Duration.ofDays(1)).toString()))
			.isEqualTo(2);
		assertThat(run("caller-key", "create", "--app", "a", "--app", "b", "--name", "n", "--owner", "o")).isEqualTo(2);
		assertThat(run("caller-key", "create", "--app", "a", "--name", "n", "--owner", "o", "--colour", "red"))
			.isEqualTo(2);

		assertThat(this.out.toString(StandardCharsets.UTF_8)).isEmpty();
		assertThat(this.err.toString(StandardCharsets.UTF_8)).contains("Usage: java -jar aoai-gateway.jar caller-key");
	}

	@Test
	void handlesWhenFirstArgumentIsTheCommandThenTrueElseTheGatewayStarts() {
		assertThat(CallerKeyCommand.handles(new String[] { "caller-key", "create" })).isTrue();
		assertThat(CallerKeyCommand.handles(new String[] { "--server.port=8080" })).isFalse();
		assertThat(CallerKeyCommand.handles(new String[0])).isFalse();
	}

	private int run(String... args) {
		return CallerKeyCommand.run(args, new PrintStream(this.out, true, StandardCharsets.UTF_8),
				new PrintStream(this.err, true, StandardCharsets.UTF_8), this.clock, new SecureRandom());
	}

}
