package io.aoaigateway.keys;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * Caller keys made for a test, and the properties that configure a gateway with them.
 */
final class CallerKeyFixtures {

	private static final SecureRandom RANDOM = new SecureRandom();

	private CallerKeyFixtures() {
	}

	/**
	 * @param app the app
	 * @param name the key's name
	 * @return a new key of the app that never expires
	 */
	static IssuedCallerKey issue(String app, String name) {
		return issue(app, name, null, List.of());
	}

	/**
	 * @param app the app
	 * @param name the key's name
	 * @param expiresAt when it expires, or {@code null}
	 * @param roles its roles
	 * @return a new key of the app
	 */
	static IssuedCallerKey issue(String app, String name, @Nullable Instant expiresAt, List<String> roles) {
		return IssuedCallerKey.issue(new NewCallerKey(app, name, "team-" + app, expiresAt, roles, List.of()),
				Instant.now(), RANDOM);
	}

	/**
	 * Adds a key's record to {@code aoai.caller-keys.keys}.
	 * @param registry the test's property registry
	 * @param index its place in the list
	 * @param key the key
	 */
	static void register(DynamicPropertyRegistry registry, int index, IssuedCallerKey key) {
		properties(index, key.record()).forEach((name, value) -> registry.add(name, () -> value));
	}

	/**
	 * @param index the record's place in {@code aoai.caller-keys.keys}
	 * @param record the record
	 * @return its properties
	 */
	static Map<String, Object> properties(int index, CallerKey record) {
		String prefix = "aoai.caller-keys.keys[" + index + "].";
		java.util.LinkedHashMap<String, Object> properties = new java.util.LinkedHashMap<>();
		properties.put(prefix + "key-id", record.keyId());
		properties.put(prefix + "name", record.name());
		properties.put(prefix + "app", record.app());
		properties.put(prefix + "owner", record.owner());
		properties.put(prefix + "created-at", record.createdAt().toString());
		if (record.expiresAt() != null) {
			properties.put(prefix + "expires-at", record.expiresAt().toString());
		}
		if (!record.roles().isEmpty()) {
			properties.put(prefix + "roles", String.join(",", record.roles()));
		}
		properties.put(prefix + "salt", record.salt());
		properties.put(prefix + "hash", record.hash());
		return properties;
	}

	/**
	 * @param key a key
	 * @return the same key with its last secret character changed: its key id exists, its
	 * secret is wrong
	 */
	static String wrongSecret(String key) {
		char last = key.charAt(key.length() - 1);
		return key.substring(0, key.length() - 1) + ((last == 'A') ? 'B' : 'A');
	}

}
