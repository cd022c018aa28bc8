package io.aoaigateway.auth;

import java.util.Collection;

import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/**
 * A validated token together with the caller read from it.
 */
public final class CallerAuthentication extends JwtAuthenticationToken implements AuthenticatedCaller {

	private final CallerIdentity caller;

	CallerAuthentication(Jwt jwt, Collection<? extends GrantedAuthority> authorities, CallerIdentity caller) {
		super(jwt, authorities, caller.id());
		this.caller = caller;
	}

	@Override
	public CallerIdentity caller() {
		return this.caller;
	}

}
