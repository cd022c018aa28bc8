package io.aoaigateway.keys;

import java.util.List;

import org.springframework.security.authentication.AbstractAuthenticationToken;

/**
 * A caller key as a call presented it, not yet checked: what
 * {@link CallerKeyAuthenticationFilter} hands to {@link CallerKeyAuthenticationProvider}.
 * Neither its principal nor its {@code toString} shows the key.
 */
final class PresentedCallerKey extends AbstractAuthenticationToken {

	private static final long serialVersionUID = 1L;

	private final transient String key;

	private final String source;

	/**
	 * @param key the key, as sent
	 * @param source where the call came from (see {@link FailedKeyAttempts#sourceOf})
	 */
	PresentedCallerKey(String key, String source) {
		super(List.of());
		this.key = key;
		this.source = source;
		setAuthenticated(false);
	}

	String key() {
		return this.key;
	}

	String source() {
		return this.source;
	}

	@Override
	public Object getCredentials() {
		return this.key;
	}

	@Override
	public Object getPrincipal() {
		String keyId = CallerKeyFormat.keyId(this.key);
		return (keyId != null) ? CallerKeyFormat.displayPrefix(keyId) : "malformed caller key";
	}

	@Override
	public String toString() {
		return "PresentedCallerKey[" + getPrincipal() + ", source=" + this.source + "]";
	}

}
