package io.aoaigateway.identity;

import java.text.ParseException;
import java.time.Duration;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenRequestContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.slf4j.LoggerFactory;

import org.springframework.boot.ssl.DefaultSslBundleRegistry;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.pem.PemSslStoreBundle;
import org.springframework.boot.ssl.pem.PemSslStoreDetails;
import org.springframework.core.env.StandardEnvironment;

/**
 * Gets an Azure OpenAI token from the {@code default} credential the gateway builds
 * (azure-identity's DefaultAzureCredential chain, with instance discovery off and
 * LocalEntra's certificate trusted through an SSL bundle), in a JVM whose environment
 * holds what the AKS workload identity webhook injects. Prints {@code tokenId=} and
 * {@code clientId=}, or {@code error=}; never the token. Run by {@link ChildJvm}.
 */
public final class DefaultChainTokenMain {

	private DefaultChainTokenMain() {
	}

	/**
	 * @param args the PEM file of the certificate to trust
	 */
	public static void main(String[] args) {
		((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
		DefaultSslBundleRegistry bundles = new DefaultSslBundleRegistry("local-entra",
				SslBundle.of(new PemSslStoreBundle(null, PemSslStoreDetails.forCertificate("file:" + args[0]))));
		IdentityProperties.Credential config = new IdentityProperties.Credential(IdentityProperties.Type.DEFAULT, null,
				null, null, null, null, null, null, null, LocalEntra.SCOPE, false, "local-entra");
		TokenCredentialFactory factory = TokenCredentialFactory.of(new StandardEnvironment(), bundles,
				Duration.ofSeconds(10));
		int status = 0;
		try {
			AccessToken token = factory.create("default", config)
				.get()
				.getTokenSync(new TokenRequestContext().addScopes(LocalEntra.SCOPE));
			JWTClaimsSet claims = SignedJWT.parse(token.getToken()).getJWTClaimsSet();
			System.out.println("tokenId=" + claims.getClaim("uti"));
			System.out.println("clientId=" + claims.getClaim("appid"));
		}
		catch (RuntimeException | ParseException ex) {
			Throwable cause = ex;
			while (cause.getCause() != null) {
				cause = cause.getCause();
			}
			System.out.println("error=" + ex.getClass().getName() + " caused by " + cause.getMessage());
			status = 1;
		}
		System.exit(status);
	}

}
