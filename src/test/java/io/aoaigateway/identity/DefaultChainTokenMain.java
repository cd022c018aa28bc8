package io.aoaigateway.identity;

import java.time.Duration;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
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
 * holds what the AKS workload identity webhook injects. Prints what
 * {@link ManagedIdentityTokenMain#printToken} does. Run by {@link ChildJvm}.
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
		System.exit(ManagedIdentityTokenMain.printToken(factory.create("default", config).get()));
	}

}
