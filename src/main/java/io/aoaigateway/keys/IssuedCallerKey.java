package io.aoaigateway.keys;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.Objects;

/**
 * A key just made: its text, shown once to whoever asked for it, and the record that is
 * kept.
 *
 * @param key the key's text; never logged, never stored
 * @param record what is stored
 */
record IssuedCallerKey(String key, CallerKey record) {

	/**
	 * Makes a key.
	 * @param request what it is for
	 * @param now when it is made
	 * @param random the source of the key id, the secret and the salt
	 * @return the key and its record
	 * @throws IllegalArgumentException when the request is not a valid record
	 */
	static IssuedCallerKey issue(NewCallerKey request, Instant now, SecureRandom random) {
		String key = CallerKeyFormat.newKey(random);
		byte[] salt = CallerKeyFormat.newSalt(random);
		CallerKey record = new CallerKey(Objects.requireNonNull(CallerKeyFormat.keyId(key)), request.name(),
				request.app(), request.owner(), now, request.expiresAt(), request.roles(), request.groups(),
				CallerKeyFormat.encode(salt), CallerKeyFormat.encode(CallerKeyFormat.hash(salt, key)));
		return new IssuedCallerKey(key, record);
	}

	@Override
	public String toString() {
		return "IssuedCallerKey[key=****, record=" + this.record + "]";
	}

}
