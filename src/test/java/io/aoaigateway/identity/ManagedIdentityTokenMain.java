package io.aoaigateway.identity;

import java.text.ParseException;
import java.time.Duration;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.slf4j.LoggerFactory;

import org.springframework.core.env.StandardEnvironment;

/**
 * Gets an Azure OpenAI token from the managed identity credential the gateway builds
 * ({@link TokenCredentialFactory}: its HTTP client and threads) and prints what a test
 * checks, never the token: {@code expiresAt=} (epoch seconds), {@code tokenId=} (its
 * {@code uti}) and {@code clientId=} (its {@code appid}), or {@code error=}. Run by
 * {@link ChildJvm}, with the environment of a managed identity.
 */
public final class ManagedIdentityTokenMain {

	private ManagedIdentityTokenMain() {
	}

	/**
	 * @param args the client id of a user-assigned identity, or nothing for the
	 * system-assigned one
	 */
	public static void main(String[] args) {
		// Without a configuration, logback would print every library's debug lines.
		((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
		IdentityProperties.Credential config = new IdentityProperties.Credential(
				IdentityProperties.Type.MANAGED_IDENTITY, null, (args.length > 0) ? args[0] : null, null, null, null,
				null, null, null, LocalEntra.SCOPE, true, null);
		TokenCredentialFactory factory = TokenCredentialFactory.of(new StandardEnvironment(), null,
				Duration.ofSeconds(10));
		TokenCredential credential = factory.create("mi", config).get();
		// The HTTP client's event loop threads would keep the JVM alive.
		System.exit(printToken(credential));
	}

	/**
	 * Asks a credential for an Azure OpenAI token and prints {@code expiresAt=},
	 * {@code tokenId=} and {@code clientId=}, or {@code error=}; never the token.
	 * @param credential the credential
	 * @return the exit status: 0 with a token, 1 without
	 */
	static int printToken(TokenCredential credential) {
		try {
			AccessToken token = credential.getTokenSync(new TokenRequestContext().addScopes(LocalEntra.SCOPE));
			JWTClaimsSet claims = SignedJWT.parse(token.getToken()).getJWTClaimsSet();
			System.out.println("expiresAt=" + token.getExpiresAt().toEpochSecond());
			System.out.println("tokenId=" + claims.getClaim("uti"));
			System.out.println("clientId=" + claims.getClaim("appid"));
			return 0;
		}
		catch (RuntimeException | ParseException ex) {
			Throwable cause = ex;
			while (cause.getCause() != null) {
				cause = cause.getCause();
			}
			System.out.println("error=" + ex.getClass().getName() + " caused by " + cause.getMessage());
			return 1;
		}
	}

}
