package io.aoaigateway.auth;

import org.springframework.web.server.WebFilter;

/**
 * A kind of caller credential that the security chain accepts besides Entra ID tokens.
 * Its filter runs just before the bearer-token filter; a bearer value it claims is never
 * handed to the token decoder.
 * <p>
 * A bean of this type, not of {@link WebFilter}: WebFlux would apply a {@code WebFilter}
 * bean to every exchange a second time, outside the security chain.
 */
public interface CallerCredentials {

	/**
	 * @return the filter that authenticates the calls carrying this credential and
	 * answers the ones whose credential is refused; it lets every other call through
	 * unauthenticated
	 */
	WebFilter authenticationFilter();

	/**
	 * Whether an {@code Authorization: Bearer} value is this kind of credential rather
	 * than an access token.
	 * @param bearerValue the value after {@code Bearer }
	 * @return true when the value is this credential's to check
	 */
	boolean claimsBearerValue(String bearerValue);

}
