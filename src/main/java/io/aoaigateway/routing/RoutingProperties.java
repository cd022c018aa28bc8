package io.aoaigateway.routing;

import java.net.URI;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The pool of Azure OpenAI resources the gateway routes to.
 *
 * @param backends Azure OpenAI resources in the pool
 * @param statefulBackend retired: refused at startup; {@code aoai.affinity.backends}
 * names the backends that serve stateful APIs (ADR 0006)
 * @param maxRequestSize largest request body accepted; larger ones are refused with 413
 * (Azure's own limit for audio uploads is 25 MB)
 */
@Validated
@ConfigurationProperties("aoai.routing")
public record RoutingProperties(@NotEmpty List<@Valid @NotNull Backend> backends, @Nullable String statefulBackend,
		@DefaultValue("25MB") DataSize maxRequestSize) {

	@AssertTrue(message = "aoai.routing.backends[*].name must be unique")
	public boolean isBackendNamesUnique() {
		Set<String> seen = new HashSet<>();
		return this.backends.stream().allMatch((backend) -> seen.add(backend.name()));
	}

	@AssertTrue(message = "aoai.routing.stateful-backend was retired: name the backends that serve stateful APIs "
			+ "in aoai.affinity.backends instead (one name there pins every object to that backend)")
	public boolean isStatefulBackendUnset() {
		return this.statefulBackend == null;
	}

	@AssertTrue(message = "aoai.routing.max-request-size must be positive")
	public boolean isMaxRequestSizePositive() {
		return this.maxRequestSize.toBytes() > 0;
	}

	/**
	 * One Azure OpenAI resource.
	 *
	 * @param name short id used in logs and metric tags
	 * @param url resource endpoint, e.g. https://my-resource.openai.azure.com
	 * @param apiKey key sent upstream in the api-key header; give it through the
	 * environment (AOAI_ROUTING_BACKENDS_0_APIKEY) or a mounted secret, never in a file
	 * @param credential instead of an api-key: the name of an Entra ID identity in
	 * {@code aoai.identity.credentials}, whose token is sent as {@code Authorization:
	 * Bearer} (for resources with key access disabled)
	 * @param deployments deployments this resource hosts
	 * @param priority lower is tried first
	 * @param weight share of traffic among backends of the same priority
	 */
	public record Backend(@NotBlank @Pattern(regexp = "[A-Za-z0-9._-]+") String name, @NotNull URI url,
			@Nullable ApiKey apiKey, @Nullable @Pattern(regexp = "[A-Za-z0-9._-]+") String credential,
			@NotEmpty List<@Valid @NotNull Deployment> deployments, @DefaultValue("0") @PositiveOrZero int priority,
			@DefaultValue("1") @Positive int weight) {

		@AssertTrue(message = "url must be an absolute http or https URL with a host, and no query")
		public boolean isUrlValid() {
			if (this.url == null) {
				return true; // @NotNull names the missing property
			}
			String scheme = (this.url.getScheme() != null) ? this.url.getScheme().toLowerCase(Locale.ROOT) : "";
			return (scheme.equals("http") || scheme.equals("https")) && this.url.getHost() != null
					&& this.url.getRawQuery() == null && this.url.getRawFragment() == null;
		}

		@AssertTrue(message = "exactly one of api-key and credential must be set")
		public boolean isCredentialChosen() {
			return (this.apiKey == null) != (this.credential == null);
		}

		@AssertTrue(message = "deployments[*].name must be unique within a backend")
		public boolean isDeploymentNamesUnique() {
			Set<String> seen = new HashSet<>();
			return this.deployments.stream().allMatch((deployment) -> seen.add(deployment.name()));
		}

	}

	/**
	 * A deployment on one resource.
	 *
	 * @param name the name callers use in paths and in the {@code model} field
	 * @param alias the deployment's name on this resource when it differs from
	 * {@code name}
	 */
	public record Deployment(@NotBlank @Pattern(regexp = "[A-Za-z0-9._-]+") String name,
			@Nullable @Pattern(regexp = "[A-Za-z0-9._-]+") String alias) {

		/**
		 * The name to send to the resource.
		 * @return the alias if set, else the name
		 */
		public String azureName() {
			return (this.alias != null) ? this.alias : this.name;
		}

	}

}
