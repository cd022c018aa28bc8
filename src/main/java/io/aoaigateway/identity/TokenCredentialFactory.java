package io.aoaigateway.identity;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import javax.net.ssl.SSLException;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.netty.NettyAsyncHttpClientBuilder;
import com.azure.core.http.policy.FixedDelayOptions;
import com.azure.core.http.policy.RetryOptions;
import com.azure.identity.AadCredentialBuilderBase;
import com.azure.identity.ClientCertificateCredentialBuilder;
import com.azure.identity.ClientSecretCredentialBuilder;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.identity.ManagedIdentityCredentialBuilder;
import com.azure.identity.WorkloadIdentityCredentialBuilder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import org.jspecify.annotations.Nullable;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.boot.ssl.SslBundles;
import org.springframework.core.env.Environment;

/**
 * Builds azure-identity credentials from {@link IdentityProperties.Credential}s: one HTTP
 * client (Reactor Netty, bounded) for all their token requests, no retries of
 * azure-core's own (the gateway retries with its own back-off), and the variables the AKS
 * workload identity webhook sets as defaults.
 */
final class TokenCredentialFactory implements AutoCloseable {

	private final Environment environment;

	private final @Nullable SslBundles bundles;

	private final ExecutorService executor;

	private final ConnectionProvider connections;

	private final Duration timeout;

	/**
	 * @param environment where AZURE_* defaults are read
	 * @param bundles the SSL bundles a credential may name
	 * @param executor where azure-identity runs its token requests
	 * @param connections the connections of every token request
	 * @param timeout the longest one token request may take
	 */
	TokenCredentialFactory(Environment environment, @Nullable SslBundles bundles, ExecutorService executor,
			ConnectionProvider connections, Duration timeout) {
		this.environment = environment;
		this.bundles = bundles;
		this.executor = executor;
		this.connections = connections;
		this.timeout = timeout;
	}

	/**
	 * A factory with its own threads for azure-identity (two) and its own bounded
	 * connection pool, released by {@link #close()}; kept out of the application context,
	 * where an executor bean would replace Spring Boot's task executor.
	 * @param environment where AZURE_* defaults are read
	 * @param bundles the SSL bundles a credential may name
	 * @param timeout the longest one token request may take
	 * @return the factory
	 */
	static TokenCredentialFactory of(Environment environment, @Nullable SslBundles bundles, Duration timeout) {
		AtomicInteger count = new AtomicInteger();
		ExecutorService executor = Executors.newFixedThreadPool(2, (task) -> {
			Thread thread = new Thread(task, "aoai-identity-" + count.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		});
		ConnectionProvider connections = ConnectionProvider.builder("aoai-identity")
			.maxConnections(8)
			.pendingAcquireMaxCount(16)
			.maxIdleTime(Duration.ofSeconds(30))
			.build();
		return new TokenCredentialFactory(environment, bundles, executor, connections, timeout);
	}

	@Override
	public void close() {
		this.executor.shutdownNow();
		this.connections.dispose();
	}

	/**
	 * Checks one configured identity and returns a way to build its credential afresh for
	 * each token request: a new credential has an empty token cache, so a renewal gets a
	 * new token from Entra instead of the cached one, which azure-identity would hand out
	 * until 5 minutes before its expiry. No token is asked for yet.
	 * @param name the identity's name, for messages
	 * @param config its configuration
	 * @return builds the credential
	 * @throws IllegalStateException when the configuration and the environment together
	 * do not describe a usable identity
	 */
	Supplier<TokenCredential> create(String name, IdentityProperties.Credential config) {
		List<String> inapplicable = config.inapplicableSettings();
		if (!inapplicable.isEmpty()) {
			throw new IllegalStateException("aoai.identity.credentials." + name + ": " + String.join(", ", inapplicable)
					+ " does not apply to type " + config.type());
		}
		HttpClient http = httpClient(config.sslBundle());
		Supplier<TokenCredential> credentials = () -> build(name, config, http);
		credentials.get();
		return credentials;
	}

	private TokenCredential build(String name, IdentityProperties.Credential config, HttpClient http) {
		return switch (config.type()) {
			case WORKLOAD_IDENTITY -> workloadIdentity(name, config, http);
			// Its own retry policy for the identity endpoint (IMDS asks for retries on
			// 410
			// and 429) stays: azure-identity refuses another one beside it.
			case MANAGED_IDENTITY -> new ManagedIdentityCredentialBuilder().clientId(config.clientId())
				.resourceId(config.resourceId())
				.executorService(this.executor)
				.httpClient(http)
				.build();
			case CLIENT_SECRET -> aad(new ClientSecretCredentialBuilder().clientSecret(secret(config.clientSecret())),
					config, config.tenantId(), config.clientId(), http)
				.build();
			case CLIENT_CERTIFICATE ->
				aad(certificate(config), config, config.tenantId(), config.clientId(), http).build();
			case DEFAULT -> defaultChain(config, http);
		};
	}

	private TokenCredential workloadIdentity(String name, IdentityProperties.Credential config, HttpClient http) {
		String tenantId = orEnvironment(config.tenantId(), "AZURE_TENANT_ID");
		String clientId = orEnvironment(config.clientId(), "AZURE_CLIENT_ID");
		String tokenFile = orEnvironment(config.tokenFilePath(), "AZURE_FEDERATED_TOKEN_FILE");
		if (tenantId == null || clientId == null || tokenFile == null) {
			throw new IllegalStateException("aoai.identity.credentials." + name + " (workload-identity) needs "
					+ "tenant-id, client-id and token-file-path, or the AZURE_TENANT_ID, AZURE_CLIENT_ID and "
					+ "AZURE_FEDERATED_TOKEN_FILE variables that the AKS workload identity webhook sets in pods "
					+ "labelled azure.workload.identity/use=true; missing: " + missing(tenantId, clientId, tokenFile));
		}
		return aad(new WorkloadIdentityCredentialBuilder().tokenFilePath(tokenFile), config, tenantId, clientId, http)
			.build();
	}

	private TokenCredential defaultChain(IdentityProperties.Credential config, HttpClient http) {
		DefaultAzureCredentialBuilder builder = new DefaultAzureCredentialBuilder().executorService(this.executor);
		if (config.tenantId() != null) {
			builder.tenantId(config.tenantId());
		}
		if (config.clientId() != null) {
			builder.managedIdentityClientId(config.clientId()).workloadIdentityClientId(config.clientId());
		}
		if (config.resourceId() != null) {
			builder.managedIdentityResourceId(config.resourceId());
		}
		String authority = authorityHost(config);
		if (authority != null) {
			builder.authorityHost(authority);
		}
		if (!config.instanceDiscovery()) {
			builder.disableInstanceDiscovery();
		}
		// Its managed identity keeps its own retry policy, as above.
		return builder.httpClient(http).build();
	}

	private ClientCertificateCredentialBuilder certificate(IdentityProperties.Credential config) {
		String path = config.certificatePath();
		ClientCertificateCredentialBuilder builder = new ClientCertificateCredentialBuilder();
		String lower = (path != null) ? path.toLowerCase(Locale.ROOT) : "";
		if (lower.endsWith(".pfx") || lower.endsWith(".p12")) {
			builder.pfxCertificate(path);
			if (config.certificatePassword() != null) {
				builder.clientCertificatePassword(config.certificatePassword().value());
			}
		}
		else {
			builder.pemCertificate(path);
		}
		return builder;
	}

	private <T extends AadCredentialBuilderBase<T>> T aad(T builder, IdentityProperties.Credential config,
			@Nullable String tenantId, @Nullable String clientId, HttpClient http) {
		builder.tenantId(tenantId).clientId(clientId).executorService(this.executor);
		String authority = authorityHost(config);
		if (authority != null) {
			builder.authorityHost(authority);
		}
		if (!config.instanceDiscovery()) {
			builder.disableInstanceDiscovery();
		}
		// No retries of azure-core's (8 requests over about 12 s for a 503 by default;
		// msal4j still retries a 5xx once): the gateway's own back-off decides when the
		// next request goes.
		return builder.httpClient(http).retryOptions(new RetryOptions(new FixedDelayOptions(0, Duration.ZERO)));
	}

	private HttpClient httpClient(@Nullable String sslBundle) {
		reactor.netty.http.client.HttpClient client = reactor.netty.http.client.HttpClient.create(this.connections)
			.responseTimeout(this.timeout);
		if (sslBundle != null) {
			SslContext context = sslContext(sslBundle);
			client = client.secure((spec) -> spec.sslContext(context));
		}
		return new NettyAsyncHttpClientBuilder(client).build();
	}

	private SslContext sslContext(String name) {
		if (this.bundles == null) {
			throw new IllegalStateException("SSL bundle '" + name + "' is named, but no SSL bundles are configured");
		}
		try {
			return SslContextBuilder.forClient()
				.trustManager(this.bundles.getBundle(name).getManagers().getTrustManagerFactory())
				.build();
		}
		catch (SSLException ex) {
			throw new IllegalStateException("SSL bundle '" + name + "' cannot make a TLS client context", ex);
		}
	}

	private @Nullable String authorityHost(IdentityProperties.Credential config) {
		URI configured = config.authorityHost();
		return (configured != null) ? configured.toString() : this.environment.getProperty("AZURE_AUTHORITY_HOST");
	}

	private @Nullable String orEnvironment(@Nullable String configured, String variable) {
		return (configured != null) ? configured : this.environment.getProperty(variable);
	}

	private static String secret(@Nullable Secret secret) {
		if (secret == null) {
			throw new IllegalStateException("client-secret is not set");
		}
		return secret.value();
	}

	private static String missing(@Nullable String tenantId, @Nullable String clientId, @Nullable String tokenFile) {
		List<String> names = new ArrayList<>();
		if (tenantId == null) {
			names.add("tenant-id");
		}
		if (clientId == null) {
			names.add("client-id");
		}
		if (tokenFile == null) {
			names.add("token-file-path");
		}
		return String.join(", ", names);
	}

}
