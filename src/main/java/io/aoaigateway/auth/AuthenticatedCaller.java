package io.aoaigateway.auth;

/**
 * An authentication that names the gateway's caller, whatever the credential: an Entra ID
 * token ({@link CallerAuthentication}) or another kind the chain accepts (see
 * {@link CallerCredentials}). What quotas, affinity and usage records key on is read
 * through this, so that every kind of caller is treated alike.
 */
public interface AuthenticatedCaller {

	/**
	 * @return who is calling
	 */
	CallerIdentity caller();

}
