package io.aoaigateway.keys;

import java.util.List;

import io.aoaigateway.auth.AuthenticatedCaller;
import io.aoaigateway.auth.CallerIdentity;

import org.springframework.security.authentication.AbstractAuthenticationToken;

/**
 * A call authenticated by a valid caller key: its app's caller. It holds no key, and
 * grants no authority: a caller key can never administer keys, whatever roles its record
 * lists (those only select quota policies).
 */
public final class CallerKeyAuthentication extends AbstractAuthenticationToken implements AuthenticatedCaller {

	private static final long serialVersionUID = 1L;

	private final CallerIdentity caller;

	private final String keyPrefix;

	CallerKeyAuthentication(CallerKey key) {
		super(List.of());
		this.caller = key.caller();
		this.keyPrefix = key.prefix();
		setAuthenticated(true);
	}

	@Override
	public CallerIdentity caller() {
		return this.caller;
	}

	/**
	 * @return which key authenticated the call, e.g. {@code aoai_k7f3q2ab0c}
	 */
	public String keyPrefix() {
		return this.keyPrefix;
	}

	@Override
	public Object getCredentials() {
		return "";
	}

	@Override
	public Object getPrincipal() {
		return this.caller.id();
	}

	@Override
	public String toString() {
		return "CallerKeyAuthentication[" + this.caller.id() + ", key=" + this.keyPrefix + "]";
	}

}
