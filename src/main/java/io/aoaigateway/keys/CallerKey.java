package io.aoaigateway.keys;

import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;

import io.aoaigateway.auth.CallerIdentity;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.Assert;

/**
 * The stored record of one caller key: who it stands for and its salted hash, never the
 * key. Bound from {@code aoai.caller-keys.keys[]}, read from a keys file, or stored in
 * Redis; {@code java -jar aoai-gateway.jar caller-key create} prints one.
 *
 * @param keyId the key's public id (the part after {@code aoai_}), shown in listings and
 * logs
 * @param name what the key is for, e.g. {@code nightly-batch}
 * @param app the application the key stands for: its quotas ({@code app} policies), its
 * objects and its usage records; both keys of an app are one caller
 * @param owner who to ask about the key, e.g. a team or a contact address
 * @param createdAt when the key was made
 * @param expiresAt when the key stops working, or none
 * @param roles app roles the key's caller holds, matched by {@code role} quota policies
 * @param groups groups the key's caller belongs to, matched by {@code group} quota
 * policies
 * @param salt the random salt, base64url
 * @param hash SHA-256 over the salt and the whole key, base64url
 */
public record CallerKey(String keyId, String name, String app, String owner, Instant createdAt,
		@Nullable Instant expiresAt, @DefaultValue List<String> roles, @DefaultValue List<String> groups, String salt,
		String hash) {

	/** Prefix of the caller ids of key callers; no Entra object id or subject has it. */
	public static final String CALLER_ID_PREFIX = "caller-key:";

	/**
	 * What an app may be called: it becomes an {@code app} quota subject, a metric tag
	 * and part of the caller id. An Entra client id (a GUID) fits, which makes a key
	 * caller share that app's {@code app} quotas.
	 */
	static final Pattern APP = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

	static final int MAX_TEXT = 200;

	public CallerKey {
		Assert.isTrue(keyId != null && CallerKeyFormat.isKeyId(keyId), "keyId must be " + CallerKeyFormat.KEY_ID_LENGTH
				+ " lowercase letters or digits, as caller-key create prints it");
		Assert.isTrue(app != null && APP.matcher(app).matches(),
				"app must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit");
		Assert.isTrue(isText(name), "name must be 1 to " + MAX_TEXT + " characters without control characters");
		Assert.isTrue(isText(owner), "owner must be 1 to " + MAX_TEXT + " characters without control characters");
		Assert.notNull(createdAt, "createdAt must be set");
		Assert.isTrue(decodesTo(salt, CallerKeyFormat.SALT_BYTES), "salt must be 16 bytes, base64url");
		Assert.isTrue(decodesTo(hash, CallerKeyFormat.HASH_BYTES), "hash must be 32 bytes (SHA-256), base64url");
		roles = (roles != null) ? List.copyOf(roles) : List.of();
		groups = (groups != null) ? List.copyOf(groups) : List.of();
		Assert.isTrue(roles.stream().allMatch(CallerKey::isText),
				"roles must be 1 to " + MAX_TEXT + " characters each, without control characters");
		Assert.isTrue(groups.stream().allMatch(CallerKey::isText),
				"groups must be 1 to " + MAX_TEXT + " characters each, without control characters");
	}

	/**
	 * @return what operators see of the key, e.g. {@code aoai_k7f3q2ab0c}
	 */
	public String prefix() {
		return CallerKeyFormat.displayPrefix(this.keyId);
	}

	/**
	 * @param now the current time
	 * @return whether the key no longer works
	 */
	public boolean expired(Instant now) {
		return this.expiresAt != null && !now.isBefore(this.expiresAt);
	}

	/**
	 * The caller this key stands for: one caller per app, whichever of its keys is used,
	 * so that a rotation keeps its quotas and objects.
	 * @return the caller
	 */
	public CallerIdentity caller() {
		return new CallerIdentity(callerId(this.app), this.keyId, null, this.app, this.name, this.roles, this.groups);
	}

	/**
	 * @param app an app
	 * @return the caller id of the app's keys
	 */
	public static String callerId(String app) {
		return CALLER_ID_PREFIX + app;
	}

	/**
	 * @param newExpiry when the key stops working
	 * @return this record with another expiry
	 */
	CallerKey withExpiresAt(@Nullable Instant newExpiry) {
		return new CallerKey(this.keyId, this.name, this.app, this.owner, this.createdAt, newExpiry, this.roles,
				this.groups, this.salt, this.hash);
	}

	// The hash is not the key, but it is what a guess would be checked against offline.
	@Override
	public String toString() {
		return "CallerKey[" + prefix() + ", name=" + this.name + ", app=" + this.app + ", owner=" + this.owner
				+ ", createdAt=" + this.createdAt + ", expiresAt=" + this.expiresAt + ", roles=" + this.roles
				+ ", groups=" + this.groups + ", salt=****, hash=****]";
	}

	private static boolean isText(@Nullable String value) {
		return value != null && !value.isBlank() && value.length() <= MAX_TEXT
				&& value.chars().noneMatch(Character::isISOControl);
	}

	private static boolean decodesTo(@Nullable String text, int length) {
		if (text == null) {
			return false;
		}
		byte[] bytes = CallerKeyFormat.decode(text);
		return bytes != null && bytes.length == length;
	}

}
