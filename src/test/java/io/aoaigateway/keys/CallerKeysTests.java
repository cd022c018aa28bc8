package io.aoaigateway.keys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.aoaigateway.FakeClock;
import io.aoaigateway.keys.CallerKeyAdminException.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link CallerKeys} over a keys file, on a clock the test moves, refreshed by the test:
 * what each key gets, revocation by removing a record, and the keys kept (then refused)
 * while the file cannot be read.
 */
class CallerKeysTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private static final Duration MAX_STALENESS = Duration.ofMinutes(5);

	private final FakeClock clock = new FakeClock(Instant.now());

	@TempDir
	Path directory;

	@Test
	void verifyWhenRightKeyThenAcceptedAsItsAppsCaller() throws IOException {
		IssuedCallerKey issued = CallerKeyFixtures.issue("reporting", "nightly");
		CallerKeys keys = loaded(issued);

		CallerKeyVerification verification = keys.verify(issued.key());

		assertThat(verification.outcome()).isEqualTo(CallerKeyOutcome.ACCEPTED);
		assertThat(verification.key()).isEqualTo(issued.record());
	}

	@Test
	void verifyWhenWrongUnknownOrMalformedThenEachSaysWhy() throws IOException {
		IssuedCallerKey issued = CallerKeyFixtures.issue("reporting", "nightly");
		CallerKeys keys = loaded(issued);

		assertThat(keys.verify(CallerKeyFixtures.wrongSecret(issued.key())).outcome())
			.isEqualTo(CallerKeyOutcome.WRONG_SECRET);
		assertThat(keys.verify(CallerKeyFormat.newKey(new SecureRandom())).outcome())
			.isEqualTo(CallerKeyOutcome.UNKNOWN);
		assertThat(keys.verify("aoai_" + issued.record().keyId()).outcome()).isEqualTo(CallerKeyOutcome.MALFORMED);
	}

	@Test
	void verifyWhenExpiryPassesThenExpired() throws IOException {
		Instant expiry = this.clock.instant().plus(Duration.ofHours(1));
		IssuedCallerKey issued = CallerKeyFixtures.issue("reporting", "short-lived", expiry, List.of());
		CallerKeys keys = loaded(issued);
		assertThat(keys.verify(issued.key()).outcome()).isEqualTo(CallerKeyOutcome.ACCEPTED);

		this.clock.advance(Duration.ofHours(1));
		keys.refresh().block(WAIT);

		assertThat(keys.verify(issued.key()).outcome()).isEqualTo(CallerKeyOutcome.EXPIRED);
		assertThat(keys.verify(CallerKeyFixtures.wrongSecret(issued.key())).outcome())
			.isEqualTo(CallerKeyOutcome.WRONG_SECRET);
	}

	@Test
	void refreshWhenRecordRemovedFromTheFileThenTheKeyStopsWorkingAtTheRefresh() throws IOException {
		IssuedCallerKey kept = CallerKeyFixtures.issue("reporting", "kept");
		IssuedCallerKey revoked = CallerKeyFixtures.issue("reporting", "revoked");
		CallerKeys keys = loaded(kept, revoked);
		writeFile(kept);

		assertThat(keys.verify(revoked.key()).outcome()).isEqualTo(CallerKeyOutcome.ACCEPTED);
		keys.refresh().block(WAIT);

		assertThat(keys.verify(revoked.key()).outcome()).isEqualTo(CallerKeyOutcome.UNKNOWN);
		assertThat(keys.verify(kept.key()).outcome()).isEqualTo(CallerKeyOutcome.ACCEPTED);
	}

	@Test
	void verifyWhenFileUnreadableThenLastKeysUsedUntilMaxStalenessThenRefused() throws IOException {
		IssuedCallerKey issued = CallerKeyFixtures.issue("reporting", "nightly");
		CallerKeys keys = loaded(issued);
		Files.delete(file());

		this.clock.advance(MAX_STALENESS);
		keys.refresh().block(WAIT);
		assertThat(keys.verify(issued.key()).outcome()).isEqualTo(CallerKeyOutcome.ACCEPTED);
		assertThat(keys.staleness()).isEqualTo(MAX_STALENESS);
		this.clock.advance(Duration.ofMillis(1));
		keys.refresh().block(WAIT);

		assertThat(keys.verify(issued.key()).outcome()).isEqualTo(CallerKeyOutcome.UNAVAILABLE);
		writeFile(issued);
		keys.refresh().block(WAIT);
		assertThat(keys.verify(issued.key()).outcome()).isEqualTo(CallerKeyOutcome.ACCEPTED);
		assertThat(keys.staleness()).isZero();
	}

	@Test
	void verifyWhenNeverLoadedThenUnavailable() throws IOException {
		IssuedCallerKey issued = CallerKeyFixtures.issue("reporting", "nightly");
		writeFile(issued);
		CallerKeys keys = new CallerKeys(new ConfiguredCallerKeyStore(List.of(), file()), this.clock, MAX_STALENESS,
				new SecureRandom());

		assertThat(keys.verify(issued.key()).outcome()).isEqualTo(CallerKeyOutcome.UNAVAILABLE);
		assertThat(keys.staleness()).isNull();
	}

	@Test
	void createWhenKeysComeFromConfigurationThenConflictSayingHowToAddOne() throws IOException {
		CallerKeys keys = loaded(CallerKeyFixtures.issue("reporting", "nightly"));

		assertThatThrownBy(
				() -> keys.create(new NewCallerKey("reporting", "another", "team", null, List.of(), List.of()), "admin")
					.block(WAIT))
			.isInstanceOfSatisfying(CallerKeyAdminException.class,
					(ex) -> assertThat(ex.reason()).isEqualTo(Reason.CONFLICT))
			.hasMessageContaining("caller-key create");
		assertThatThrownBy(() -> keys.revoke("abcdefghij", "admin").block(WAIT))
			.isInstanceOf(CallerKeyAdminException.class);
		assertThat(keys.writable()).isFalse();
	}

	@Test
	void listWhenLoadedThenEveryRecordByAppThenCreation() throws IOException {
		IssuedCallerKey b = CallerKeyFixtures.issue("b-app", "k");
		IssuedCallerKey a = CallerKeyFixtures.issue("a-app", "k");
		CallerKeys keys = loaded(b, a);

		assertThat(keys.list().block(WAIT)).containsExactly(a.record(), b.record());
	}

	private CallerKeys loaded(IssuedCallerKey... issued) throws IOException {
		writeFile(issued);
		CallerKeys keys = new CallerKeys(new ConfiguredCallerKeyStore(List.of(), file()), this.clock, MAX_STALENESS,
				new SecureRandom());
		keys.refresh().block(WAIT);
		return keys;
	}

	private void writeFile(IssuedCallerKey... issued) throws IOException {
		StringBuilder yaml = new StringBuilder("keys:\n");
		for (IssuedCallerKey key : issued) {
			yaml.append(ConfiguredCallerKeyStoreTests.indent(CallerKeyCommand.yaml(key.record())));
		}
		Files.writeString(file(), yaml, StandardCharsets.UTF_8);
	}

	private Path file() {
		return this.directory.resolve("caller-keys.yaml");
	}

}
