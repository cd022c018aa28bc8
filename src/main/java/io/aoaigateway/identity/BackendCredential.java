package io.aoaigateway.identity;

import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;

/**
 * What the gateway sends a backend to be let in: an {@code api-key} or an Entra ID bearer
 * token. Never a caller's credential.
 */
public interface BackendCredential {

	/**
	 * Adds this credential to a request for the backend.
	 * @param headers the request's headers, from which every caller credential was
	 * already removed
	 */
	void writeTo(HttpHeaders headers);

	/**
	 * Whether a call sent with this credential now could be let in: false while a token
	 * credential has no valid token, or after the backend refused a renewed one.
	 * @return whether calls may be sent with it
	 */
	boolean usable();

	/**
	 * Tells the credential that the backend refused it (401), and whether the same call
	 * may be sent again: yes when a newer credential is there (renewed by another call,
	 * or now, at most once per rejected token).
	 * @param sent the headers the refused attempt sent
	 * @return whether a new attempt on the same backend has a newer credential
	 */
	Mono<Boolean> renewAfterRejection(HttpHeaders sent);

}
