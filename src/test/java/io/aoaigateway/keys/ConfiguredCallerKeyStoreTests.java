package io.aoaigateway.keys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link ConfiguredCallerKeyStore}: records from properties and from a keys file, the
 * file read again and replaced only when its content changed.
 */
class ConfiguredCallerKeyStoreTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@TempDir
	Path directory;

	@Test
	void readWhenFileWrittenByTheCommandThenItsRecordsBesideTheConfiguredOnes() throws IOException {
		CallerKey configured = CallerKeyFixtures.issue("configured-app", "k").record();
		CallerKey fromFile = CallerKeyFixtures
			.issue("file-app", "k", Instant.parse("2031-01-01T00:00:00Z"), List.of("Reader", "Writer"))
			.record();
		Path file = write("keys.yaml", "keys:\n" + indent(CallerKeyCommand.yaml(fromFile)));

		CallerKeyCatalog catalog = new ConfiguredCallerKeyStore(List.of(configured), file).read(null).block(WAIT);

		assertThat(catalog.keys()).containsExactly(configured, fromFile);
		assertThat(catalog.version()).startsWith("file:");
	}

	@Test
	void readWhenFileIsJsonThenReadToo() throws IOException {
		CallerKey record = CallerKeyFixtures.issue("json-app", "k").record();
		Path file = write("keys.json", """
				{"keys":[{"key-id":"%s","name":"%s","app":"%s","owner":"%s","created-at":"%s","salt":"%s","hash":"%s"}]}
				""".formatted(record.keyId(), record.name(), record.app(), record.owner(), record.createdAt(),
				record.salt(), record.hash()));

		CallerKeyCatalog catalog = new ConfiguredCallerKeyStore(List.of(), file).read(null).block(WAIT);

		assertThat(catalog.keys()).containsExactly(record);
	}

	@Test
	void readWhenFileUnchangedThenEmptyAndWhenChangedThenTheNewRecords() throws IOException {
		CallerKey first = CallerKeyFixtures.issue("app", "first").record();
		CallerKey second = CallerKeyFixtures.issue("app", "second").record();
		Path file = write("keys.yaml", "keys:\n" + indent(CallerKeyCommand.yaml(first)));
		ConfiguredCallerKeyStore store = new ConfiguredCallerKeyStore(List.of(), file);
		String version = store.read(null).block(WAIT).version();

		assertThat(store.read(version).blockOptional(WAIT)).isEmpty();
		write("keys.yaml", "keys:\n" + indent(CallerKeyCommand.yaml(second)));
		CallerKeyCatalog changed = store.read(version).block(WAIT);

		assertThat(changed.keys()).containsExactly(second);
		assertThat(changed.version()).isNotEqualTo(version);
	}

	@Test
	void readWhenNoFileThenTheConfiguredRecordsOnceAndThenUnchanged() {
		CallerKey configured = CallerKeyFixtures.issue("app", "k").record();
		ConfiguredCallerKeyStore store = new ConfiguredCallerKeyStore(List.of(configured), null);

		CallerKeyCatalog catalog = store.read(null).block(WAIT);

		assertThat(catalog.keys()).containsExactly(configured);
		assertThat(store.read(catalog.version()).blockOptional(WAIT)).isEmpty();
		assertThat(store.writable()).isFalse();
	}

	@Test
	void readWhenRecordInvalidThenFailsNamingTheProblemNotTheValues() throws IOException {
		CallerKey record = CallerKeyFixtures.issue("app", "k").record();
		Path file = write("keys.yaml",
				"keys:\n" + indent(CallerKeyCommand.yaml(record)).replace(record.hash(), "dG9vLXNob3J0"));

		assertThatThrownBy(() -> new ConfiguredCallerKeyStore(List.of(), file).read(null).block(WAIT))
			.hasMessageContaining("hash must be 32 bytes")
			.hasMessageNotContaining("dG9vLXNob3J0")
			.hasMessageNotContaining(record.salt());
	}

	@Test
	void readWhenSameKeyTwiceThenFails() throws IOException {
		CallerKey record = CallerKeyFixtures.issue("app", "k").record();
		Path file = write("keys.yaml", "keys:\n" + indent(CallerKeyCommand.yaml(record)));

		assertThatIllegalStateException()
			.isThrownBy(() -> new ConfiguredCallerKeyStore(List.of(record), file).read(null).block(WAIT))
			.withMessageContaining("configured twice");
	}

	@Test
	void readWhenFileMissingOrTooLargeThenFails() throws IOException {
		Path missing = this.directory.resolve("missing.yaml");
		Path huge = write("huge.yaml", "#".repeat(ConfiguredCallerKeyStore.MAX_FILE_BYTES + 1));

		assertThatThrownBy(() -> new ConfiguredCallerKeyStore(List.of(), missing).read(null).block(WAIT))
			.hasRootCauseInstanceOf(java.nio.file.NoSuchFileException.class);
		assertThatThrownBy(() -> new ConfiguredCallerKeyStore(List.of(), huge).read(null).block(WAIT))
			.hasMessageContaining("larger than");
	}

	@Test
	void saveAndDeleteWhenConfiguredThenRefused() {
		ConfiguredCallerKeyStore store = new ConfiguredCallerKeyStore(List.of(), null);

		assertThatThrownBy(() -> store.delete("abcdefghij").block(WAIT))
			.isInstanceOf(UnsupportedOperationException.class);
		assertThatThrownBy(() -> store.save("configuration", List.of()).block(WAIT))
			.isInstanceOf(UnsupportedOperationException.class);
	}

	private Path write(String name, String content) throws IOException {
		return Files.writeString(this.directory.resolve(name), content, StandardCharsets.UTF_8);
	}

	static String indent(String yaml) {
		return yaml.lines().map((line) -> "  " + line).reduce("", (all, line) -> all + line + "\n");
	}

}
