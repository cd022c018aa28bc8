package io.aoaigateway.keys;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ByteArrayResource;

/**
 * Caller key records from the configuration: {@code aoai.caller-keys.keys[]} and, when
 * set, a YAML (or JSON) file with a {@code keys} list of the same records, typically a
 * mounted Kubernetes Secret. The file is read again on every refresh and its records
 * replaced when its content changed (the kubelet updates a mounted Secret in place), so
 * that removing a record revokes its key on every replica. Read only.
 */
final class ConfiguredCallerKeyStore implements CallerKeyStore {

	/** Largest keys file read: a few thousand records. */
	static final int MAX_FILE_BYTES = 1024 * 1024;

	private final List<CallerKey> configured;

	private final @Nullable Path file;

	/**
	 * @param configured the records of {@code aoai.caller-keys.keys}
	 * @param file the keys file, or {@code null}
	 */
	ConfiguredCallerKeyStore(List<CallerKey> configured, @Nullable Path file) {
		this.configured = List.copyOf(configured);
		this.file = file;
	}

	@Override
	public Mono<CallerKeyCatalog> read(@Nullable String knownVersion) {
		Path source = this.file;
		if (source == null) {
			return "configuration".equals(knownVersion) ? Mono.empty()
					: Mono.fromCallable(() -> catalog("configuration", List.of()));
		}
		// File I/O: off the event loop.
		return Mono.fromCallable(() -> {
			byte[] content = readBounded(source);
			String version = "file:" + HexFormat.of().formatHex(CallerKeyFormat.sha256().digest(content));
			return version.equals(knownVersion) ? null : catalog(version, parse(content));
		}).subscribeOn(Schedulers.boundedElastic());
	}

	@Override
	public boolean writable() {
		return false;
	}

	@Override
	public Mono<Boolean> save(String expectedVersion, List<CallerKey> records) {
		return Mono.error(new UnsupportedOperationException("Caller keys come from configuration"));
	}

	@Override
	public Mono<Boolean> delete(String keyId) {
		return Mono.error(new UnsupportedOperationException("Caller keys come from configuration"));
	}

	private CallerKeyCatalog catalog(String version, List<CallerKey> fromFile) {
		List<CallerKey> all = new ArrayList<>(this.configured);
		all.addAll(fromFile);
		Set<String> ids = new HashSet<>();
		for (CallerKey key : all) {
			if (!ids.add(key.keyId())) {
				throw new IllegalStateException("The caller key " + key.prefix() + " is configured twice");
			}
		}
		return new CallerKeyCatalog(version, all);
	}

	/**
	 * Reads the records of a keys file, bound exactly as {@code aoai.caller-keys.keys}
	 * is.
	 * @param content the file's content
	 * @return its records
	 * @throws IllegalStateException when a record is invalid
	 */
	static List<CallerKey> parse(byte[] content) {
		try {
			List<PropertySource<?>> sources = new YamlPropertySourceLoader().load("caller-keys",
					new ByteArrayResource(content, "caller keys file"));
			return new Binder(ConfigurationPropertySources.from(sources)).bind("keys", Bindable.listOf(CallerKey.class))
				.orElse(List.of());
		}
		catch (IOException | RuntimeException ex) {
			// The binder's own message may quote a value; the cause's names the field.
			throw new IllegalStateException(
					"The caller keys file is not a valid list of records under 'keys': " + rootMessage(ex));
		}
	}

	private static byte[] readBounded(Path path) throws IOException {
		try (InputStream in = Files.newInputStream(path)) {
			byte[] content = in.readNBytes(MAX_FILE_BYTES + 1);
			if (content.length > MAX_FILE_BYTES) {
				throw new IOException("The caller keys file " + path + " is larger than " + MAX_FILE_BYTES + " bytes");
			}
			return content;
		}
	}

	private static String rootMessage(Throwable ex) {
		Throwable root = ex;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		return root.getClass().getSimpleName() + ": " + root.getMessage();
	}

}
