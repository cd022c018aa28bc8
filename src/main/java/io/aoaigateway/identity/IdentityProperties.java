package io.aoaigateway.identity;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The Entra ID identities the gateway uses to reach backends without keys. A backend
 * names one with {@code aoai.routing.backends[*].credential} instead of an
 * {@code api-key}; every backend naming the same credential shares one token.
 *
 * @param credentials identities by name (letters, digits, {@code .}, {@code _},
 * {@code -})
 * @param refresh when tokens are renewed, and how failures are retried
 */
@Validated
@ConfigurationProperties("aoai.identity")
public record IdentityProperties(@DefaultValue Map<String, @Valid @NotNull Credential> credentials,
		@Valid @DefaultValue Refresh refresh) {

	@AssertTrue(message = "aoai.identity.credentials names may hold only letters, digits, '.', '_' and '-'")
	public boolean isCredentialNamesValid() {
		return this.credentials.keySet().stream().allMatch((name) -> name.matches("[A-Za-z0-9._-]+"));
	}

	/**
	 * How one identity gets its tokens.
	 *
	 * @param type {@code workload-identity} (the AKS default: a federated service account
	 * token), {@code managed-identity}, {@code client-secret}, {@code client-certificate}
	 * or {@code default} (azure-identity's DefaultAzureCredential chain)
	 * @param tenantId the Entra tenant; for workload-identity, defaults to
	 * AZURE_TENANT_ID
	 * @param clientId the application (client) id; for workload-identity, defaults to
	 * AZURE_CLIENT_ID; for managed-identity, the client id of a user-assigned identity
	 * (none: the system-assigned one)
	 * @param clientSecret for client-secret: the secret, from the environment or a
	 * mounted Secret, never in a file
	 * @param certificatePath for client-certificate: a PEM file with the certificate and
	 * its private key, or a PFX / PKCS#12 file ({@code .pfx}, {@code .p12})
	 * @param certificatePassword for client-certificate: the PFX file's password
	 * @param tokenFilePath for workload-identity: the projected service account token;
	 * defaults to AZURE_FEDERATED_TOKEN_FILE
	 * @param resourceId for managed-identity: the Azure resource id of a user-assigned
	 * identity, instead of its client id
	 * @param authorityHost the Entra authority, e.g. https://login.microsoftonline.us/
	 * for US Government; defaults to AZURE_AUTHORITY_HOST, else the public cloud
	 * @param scope what the token is for: Azure OpenAI's (Cognitive Services) scope
	 * @param instanceDiscovery whether the authority is checked with Microsoft's instance
	 * discovery first; turn off for an authority Microsoft does not know (Azure Stack, a
	 * local stand-in)
	 * @param sslBundle a Spring SSL bundle ({@code spring.ssl.bundle.*}) whose trust
	 * material token calls use instead of the JVM's, e.g. behind a TLS-inspecting proxy
	 */
	public record Credential(@NotNull Type type, @Nullable String tenantId, @Nullable String clientId,
			@Nullable Secret clientSecret, @Nullable String certificatePath, @Nullable Secret certificatePassword,
			@Nullable String tokenFilePath, @Nullable String resourceId, @Nullable URI authorityHost,
			@NotBlank @DefaultValue("https://cognitiveservices.azure.com/.default") String scope,
			@DefaultValue("true") boolean instanceDiscovery, @Nullable String sslBundle) {

		@AssertTrue(message = "client-secret needs tenant-id, client-id and client-secret")
		public boolean isClientSecretComplete() {
			return this.type != Type.CLIENT_SECRET
					|| (this.tenantId != null && this.clientId != null && this.clientSecret != null);
		}

		@AssertTrue(message = "client-certificate needs tenant-id, client-id and certificate-path")
		public boolean isClientCertificateComplete() {
			return this.type != Type.CLIENT_CERTIFICATE
					|| (this.tenantId != null && this.clientId != null && this.certificatePath != null);
		}

		@AssertTrue(message = "managed-identity takes client-id or resource-id, not both")
		public boolean isManagedIdentityUnambiguous() {
			return this.type != Type.MANAGED_IDENTITY || this.clientId == null || this.resourceId == null;
		}

		@AssertTrue(message = "authority-host must be an https URL")
		public boolean isAuthorityHostHttps() {
			return this.authorityHost == null || "https".equalsIgnoreCase(this.authorityHost.getScheme());
		}

		/**
		 * Settings given that this credential's type does not use: a typo or a mix-up
		 * worth refusing rather than ignoring.
		 * @return the kebab-case names of the settings that do not apply
		 */
		public List<String> inapplicableSettings() {
			List<String> given = new ArrayList<>();
			add(given, "tenant-id", this.tenantId, Type.MANAGED_IDENTITY);
			add(given, "client-secret", this.clientSecret, Type.WORKLOAD_IDENTITY, Type.MANAGED_IDENTITY,
					Type.CLIENT_CERTIFICATE, Type.DEFAULT);
			add(given, "certificate-path", this.certificatePath, Type.WORKLOAD_IDENTITY, Type.MANAGED_IDENTITY,
					Type.CLIENT_SECRET, Type.DEFAULT);
			add(given, "certificate-password", this.certificatePassword, Type.WORKLOAD_IDENTITY, Type.MANAGED_IDENTITY,
					Type.CLIENT_SECRET, Type.DEFAULT);
			add(given, "token-file-path", this.tokenFilePath, Type.MANAGED_IDENTITY, Type.CLIENT_SECRET,
					Type.CLIENT_CERTIFICATE, Type.DEFAULT);
			add(given, "resource-id", this.resourceId, Type.WORKLOAD_IDENTITY, Type.CLIENT_SECRET,
					Type.CLIENT_CERTIFICATE);
			add(given, "authority-host", this.authorityHost, Type.MANAGED_IDENTITY);
			return given;
		}

		private void add(List<String> given, String name, @Nullable Object value, Type... notFor) {
			if (value != null && List.of(notFor).contains(this.type)) {
				given.add(name);
			}
		}

	}

	/** Where an identity's tokens come from. */
	public enum Type {

		/** A federated service account token (AKS workload identity). */
		WORKLOAD_IDENTITY,

		/**
		 * The managed identity of the VM, App Service or container the gateway runs on.
		 */
		MANAGED_IDENTITY,

		/** An app registration's client secret. */
		CLIENT_SECRET,

		/** An app registration's certificate. */
		CLIENT_CERTIFICATE,

		/** azure-identity's DefaultAzureCredential: the first of its chain that works. */
		DEFAULT;

		@Override
		public String toString() {
			return name().toLowerCase(Locale.ROOT).replace('_', '-');
		}

	}

	/**
	 * When tokens are renewed: halfway through a token's life (at the latest
	 * {@code before-expiry} ahead of its expiry), in the background; a renewal that fails
	 * is tried again after {@code retry-min}, doubling to {@code retry-max}, while the
	 * current token stays in use until it expires.
	 *
	 * @param beforeExpiry the latest a token is renewed ahead of its expiry, for tokens
	 * whose half life is longer
	 * @param checkInterval how often each token is checked for renewal
	 * @param retryMin the wait after a first failed renewal
	 * @param retryMax the longest wait between two renewals that fail
	 * @param timeout the longest one token request may take
	 * @param afterRejection how long a backend stays out of rotation after it refused a
	 * freshly renewed token (401), before the token is renewed again
	 */
	public record Refresh(@DefaultValue("5m") Duration beforeExpiry, @DefaultValue("1s") Duration checkInterval,
			@DefaultValue("2s") Duration retryMin, @DefaultValue("1m") Duration retryMax,
			@DefaultValue("10s") Duration timeout, @DefaultValue("30s") Duration afterRejection) {

		@AssertTrue(message = "aoai.identity.refresh durations must be positive, and retry-min at most retry-max")
		public boolean isValid() {
			return positive(this.beforeExpiry) && positive(this.checkInterval) && positive(this.retryMin)
					&& positive(this.retryMax) && positive(this.timeout) && positive(this.afterRejection)
					&& this.retryMin.compareTo(this.retryMax) <= 0;
		}

		private static boolean positive(@Nullable Duration duration) {
			return duration != null && !duration.isNegative() && !duration.isZero();
		}

	}

}
