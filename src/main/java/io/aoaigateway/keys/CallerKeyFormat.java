package io.aoaigateway.keys;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

import org.jspecify.annotations.Nullable;

/**
 * What a caller key looks like and how it is hashed: {@code aoai_<key id>_<secret>}, a
 * fixed prefix (so that the gateway and secret scanners tell it from an Entra token,
 * {@code eyJ…}, and from an Azure key, 32 hex or 84 base62 characters), a public key id
 * of {@value #KEY_ID_LENGTH} lowercase letters and digits used to find the key's record,
 * and {@value #SECRET_BYTES} random bytes from {@link SecureRandom}, base64url without
 * padding ({@value #SECRET_LENGTH} characters).
 * <p>
 * Only the hash is kept: SHA-256 over a random {@value #SALT_BYTES}-byte salt and the
 * whole key. A fast hash is right for a 256-bit random secret: nobody can guess such a
 * secret from its hash however fast the hash, while a slow one (bcrypt, argon2) would
 * cost every call and hand anyone with bad keys a lever on the gateway's CPU.
 */
final class CallerKeyFormat {

	/** What every caller key starts with. */
	static final String PREFIX = "aoai_";

	static final int KEY_ID_LENGTH = 10;

	static final int SECRET_BYTES = 32;

	static final int SECRET_LENGTH = 43;

	static final int SALT_BYTES = 16;

	static final int HASH_BYTES = 32;

	/** Length of every well-formed key. */
	static final int KEY_LENGTH = PREFIX.length() + KEY_ID_LENGTH + 1 + SECRET_LENGTH;

	private static final String KEY_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

	private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

	private static final Base64.Decoder BASE64URL_DECODER = Base64.getUrlDecoder();

	private CallerKeyFormat() {
	}

	/**
	 * Whether a credential is meant as a caller key: it starts with the prefix. It may
	 * still be malformed ({@link #keyId(String)} says).
	 * @param credential what a caller sent
	 * @return true for a caller key, well-formed or not
	 */
	static boolean looksLikeKey(String credential) {
		return credential.startsWith(PREFIX);
	}

	/**
	 * The key id of a well-formed key.
	 * @param key what a caller sent
	 * @return its key id, or {@code null} when it is not a well-formed caller key
	 */
	static @Nullable String keyId(String key) {
		// Length first: nothing else is looked at in a huge value.
		if (key.length() != KEY_LENGTH || !key.startsWith(PREFIX)) {
			return null;
		}
		int idEnd = PREFIX.length() + KEY_ID_LENGTH;
		if (key.charAt(idEnd) != '_') {
			return null;
		}
		for (int i = PREFIX.length(); i < idEnd; i++) {
			if (KEY_ID_ALPHABET.indexOf(key.charAt(i)) < 0) {
				return null;
			}
		}
		for (int i = idEnd + 1; i < key.length(); i++) {
			if (!isBase64Url(key.charAt(i))) {
				return null;
			}
		}
		return key.substring(PREFIX.length(), idEnd);
	}

	/**
	 * @param keyId a key id
	 * @return whether it is a well-formed key id
	 */
	static boolean isKeyId(String keyId) {
		if (keyId.length() != KEY_ID_LENGTH) {
			return false;
		}
		for (int i = 0; i < keyId.length(); i++) {
			if (KEY_ID_ALPHABET.indexOf(keyId.charAt(i)) < 0) {
				return false;
			}
		}
		return true;
	}

	/**
	 * @param keyId a key id
	 * @return what operators see of the key: the prefix and the key id, never the secret
	 */
	static String displayPrefix(String keyId) {
		return PREFIX + keyId;
	}

	/**
	 * Makes a new key.
	 * @param random where the key id and the secret come from
	 * @return the key's text, to be shown once
	 */
	static String newKey(SecureRandom random) {
		return PREFIX + newKeyId(random) + "_" + BASE64URL.encodeToString(bytes(random, SECRET_BYTES));
	}

	static String newKeyId(SecureRandom random) {
		StringBuilder id = new StringBuilder(KEY_ID_LENGTH);
		for (int i = 0; i < KEY_ID_LENGTH; i++) {
			id.append(KEY_ID_ALPHABET.charAt(random.nextInt(KEY_ID_ALPHABET.length())));
		}
		return id.toString();
	}

	static byte[] newSalt(SecureRandom random) {
		return bytes(random, SALT_BYTES);
	}

	/**
	 * @param salt the key's salt
	 * @param key the whole key
	 * @return SHA-256 over the salt and the key's UTF-8 bytes
	 */
	static byte[] hash(byte[] salt, String key) {
		MessageDigest digest = sha256();
		digest.update(salt);
		digest.update(key.getBytes(StandardCharsets.UTF_8));
		return digest.digest();
	}

	/**
	 * Whether a key matches a stored hash, in time that does not depend on where they
	 * differ.
	 * @param salt the record's salt
	 * @param expected the record's hash
	 * @param key what the caller sent
	 * @return true when the key hashes to the record's hash
	 */
	static boolean matches(byte[] salt, byte[] expected, String key) {
		return MessageDigest.isEqual(hash(salt, key), expected);
	}

	static String encode(byte[] bytes) {
		return BASE64URL.encodeToString(bytes);
	}

	/**
	 * @param text base64url text, padded or not
	 * @return its bytes, or {@code null} when it is not base64url
	 */
	static byte @Nullable [] decode(String text) {
		try {
			return BASE64URL_DECODER.decode(text);
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

	static MessageDigest sha256() {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("Every Java runtime has SHA-256", ex);
		}
	}

	private static boolean isBase64Url(char c) {
		return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
	}

	private static byte[] bytes(SecureRandom random, int length) {
		byte[] bytes = new byte[length];
		random.nextBytes(bytes);
		return bytes;
	}

}
