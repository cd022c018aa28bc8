package io.aoaigateway.helm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.Release;
import com.marcnuri.helm.TemplateCommand;
import io.aoaigateway.affinity.AffinityProperties;
import io.aoaigateway.auth.AuthProperties;
import io.aoaigateway.helm.ChartReadmeFixtures.ValuesExample;
import io.aoaigateway.pricing.PricingProperties;
import io.aoaigateway.priority.PriorityProperties;
import io.aoaigateway.quota.QuotaProperties;
import io.aoaigateway.resilience.FailoverProperties;
import io.aoaigateway.routing.DeploymentConverter;
import io.aoaigateway.identity.IdentityProperties;
import io.aoaigateway.keys.CallerKeysProperties;
import io.aoaigateway.routing.RoutingProperties;
import io.aoaigateway.state.StateProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.FileSystemResource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Helm chart under {@code helm/aoai-gateway} lints, renders the expected resources
 * and refuses values that would deploy a broken or unsafe gateway.
 */
class HelmChartTests {

	private static final Path CHART = Path.of("helm", "aoai-gateway");

	private static final Path FULL_VALUES = Path.of("src", "test", "resources", "helm", "full-values.yaml");

	private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{[A-Za-z0-9_]+}");

	private static final String CLIENT_ID = "11111111-2222-3333-4444-555555555555";

	private static final String TENANT_ID = "66666666-7777-8888-9999-000000000000";

	private static final String CLIENT_ID_ANNOTATION = "azure.workload.identity/client-id";

	private static final String TENANT_ID_ANNOTATION = "azure.workload.identity/tenant-id";

	private static final String WORKLOAD_IDENTITY_LABEL = "azure.workload.identity/use";

	private static final String CERTIFICATE_DIRECTORY = "/var/run/secrets/aoai-identity";

	/** One backend on a workload identity credential, as the keyless README example. */
	private static final String KEYLESS_CONFIG = """
			config:
			  aoai:
			    identity:
			      credentials:
			        aks:
			          type: workload-identity
			    routing:
			      backends:
			        - name: swedencentral
			          url: https://contoso-swc.openai.azure.com
			          credential: aks
			          deployments: [gpt-4o]
			""";

	@Test
	void lintWhenDefaultValuesThenPasses() {
		LintResult result = new Helm(CHART).lint().strict().call();

		assertThat(result.isFailed()).as("%s", result.getMessages()).isFalse();
	}

	@Test
	void lintWhenFullValuesThenPasses(@TempDir Path tmp) throws IOException {
		// helm-java's lint takes no values file: lint a copy whose values.yaml has the
		// full values merged in.
		Path chart = copyChart(tmp.resolve("aoai-gateway"));
		Map<String, Object> values = merge(load(CHART.resolve("values.yaml")), load(FULL_VALUES));
		Files.writeString(chart.resolve("values.yaml"), yaml().dump(values));

		LintResult result = new Helm(chart).lint().strict().call();

		assertThat(result.isFailed()).as("%s", result.getMessages()).isFalse();
	}

	@Test
	void templateWhenDefaultValuesThenOneReplicaWithMemoryStore() {
		List<Map<String, Object>> documents = render(template().call());

		assertWellFormed(documents);
		assertThat(kinds(documents)).containsExactlyInAnyOrder("Deployment", "Service", "ConfigMap", "ServiceAccount");
		Map<String, Object> deployment = single(documents, "Deployment");
		assertThat(get(deployment, "spec", "replicas")).isEqualTo(1);
		assertGatewayContainer(deployment);
		assertThat(get(applicationYaml(documents), "aoai", "state", "store")).isEqualTo("memory");
		assertThat(get(applicationYaml(documents), "spring")).isNull();
		assertThat(maps(get(container(deployment), "volumeMounts"))).extracting((mount) -> mount.get("mountPath"))
			.containsExactlyInAnyOrder("/config", "/tmp");
	}

	@Test
	void templateWhenFullValuesThenEveryResourceAndRedisStore() {
		String rendered = template().withValuesFile(FULL_VALUES).call();
		List<Map<String, Object>> documents = render(rendered);

		assertWellFormed(documents);
		assertThat(kinds(documents)).contains("Deployment", "Service", "ConfigMap", "ServiceAccount",
				"HorizontalPodAutoscaler", "PodDisruptionBudget", "ServiceMonitor", "PrometheusRule");
		Map<String, Object> deployment = single(documents, "Deployment");
		assertThat(get(deployment, "spec", "replicas")).as("the HPA owns the replica count").isNull();
		assertGatewayContainer(deployment);
		Map<String, Object> application = applicationYaml(documents);
		assertThat(get(application, "aoai", "state", "store")).isEqualTo("redis");
		assertThat(get(application, "aoai", "state", "timeout")).as("the user's state settings are kept")
			.isEqualTo("250ms");
		assertThat(get(application, "spring", "data", "redis", "host"))
			.isEqualTo("contoso-gateway.redis.cache.windows.net");
		assertThat(get(application, "spring", "data", "redis", "port")).isEqualTo(6380);
		assertThat(get(application, "spring", "data", "redis", "ssl", "enabled")).isEqualTo(true);
		assertThat(get(application, "spring", "data", "redis", "password")).isEqualTo("${REDIS_PASSWORD}");
		assertThat(get(single(documents, "HorizontalPodAutoscaler"), "spec", "maxReplicas")).isEqualTo(10);
		assertThat(get(single(documents, "PodDisruptionBudget"), "spec", "minAvailable")).isEqualTo(1);
		assertThat(get(single(documents, "ServiceMonitor"), "spec", "endpoints")).asString()
			.contains("path=/actuator/prometheus");
		assertThat(list(get(single(documents, "PrometheusRule"), "spec", "groups"))).hasSize(1);
		List<Map<String, Object>> dashboards = documents.stream()
			.filter((document) -> get(document, "metadata", "labels", "grafana_dashboard") != null)
			.toList();
		assertThat(dashboards).hasSize(3)
			.allSatisfy((dashboard) -> assertThat(get(dashboard, "metadata", "labels", "grafana_dashboard"))
				.isEqualTo("1"));
		assertThat(map(get(single(documents, "ServiceAccount"), "metadata", "annotations")))
			.as("the user's and the chart's")
			.containsOnlyKeys("contoso.com/owner", CLIENT_ID_ANNOTATION, TENANT_ID_ANNOTATION);
		assertThat(get(deployment, "spec", "template", "metadata", "labels", WORKLOAD_IDENTITY_LABEL))
			.isEqualTo("true");
		assertThat(maps(get(container(deployment), "volumeMounts"))).extracting((mount) -> mount.get("mountPath"))
			.containsExactlyInAnyOrder("/config", "/tmp", CERTIFICATE_DIRECTORY);
	}

	@Test
	void templateWhenFullValuesThenSecretsOnlyFromTheExistingSecrets() {
		String rendered = template().withValuesFile(FULL_VALUES).call();
		List<Map<String, Object>> documents = render(rendered);

		assertThat(kinds(documents)).doesNotContain("Secret");
		List<Map<String, Object>> backends = maps(get(applicationYaml(documents), "aoai", "routing", "backends"));
		assertThat(backends).hasSize(2)
			.allSatisfy((backend) -> assertThat(String.valueOf(backend.get("api-key"))).matches(PLACEHOLDER));
		List<Map<String, Object>> env = maps(get(container(single(documents, "Deployment")), "env"));
		List<Map<String, Object>> secretEnv = env.stream()
			.filter((variable) -> String.valueOf(variable.get("name")).matches(".*(_API_KEY|PASSWORD|_SECRET)$"))
			.toList();
		assertThat(secretEnv).extracting((variable) -> variable.get("name"))
			.containsExactlyInAnyOrder("SWEDENCENTRAL_API_KEY", "EUS2_API_KEY", "AOAI_IDENTITY_CLIENT_SECRET",
					"REDIS_PASSWORD");
		assertThat(secretEnv).allSatisfy((variable) -> {
			assertThat(variable).doesNotContainKey("value");
			assertThat(get(variable, "valueFrom", "secretKeyRef", "name")).isIn("aoai-backend-keys",
					"aoai-gateway-identity", "aoai-gateway-redis");
		});
		assertThat(get(map(get(applicationYaml(documents), "aoai", "identity", "credentials")), "app", "client-secret"))
			.isEqualTo("${AOAI_IDENTITY_CLIENT_SECRET}");
	}

	@Test
	void templateWhenFullValuesThenApplicationYamlBindsToTheGatewayProperties(@TempDir Path tmp) throws IOException {
		Path application = tmp.resolve("application.yaml");
		Files.writeString(application,
				yaml().dump(applicationYaml(render(template().withValuesFile(FULL_VALUES).call()))));
		List<PropertySource<?>> sources = new YamlPropertySourceLoader().load(application.toString(),
				new FileSystemResource(application));

		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
			.withUserConfiguration(GatewayProperties.class)
			.withPropertyValues("SWEDENCENTRAL_API_KEY=test-only", "EUS2_API_KEY=test-only", "REDIS_PASSWORD=test-only")
			.withInitializer((context) -> sources.forEach(context.getEnvironment().getPropertySources()::addFirst))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(RoutingProperties.class).backends()).hasSize(2);
				assertThat(context.getBean(StateProperties.class).store()).isEqualTo(StateProperties.Store.REDIS);
			});
	}

	@Test
	void templateWhenThreeReplicasWithoutRedisThenRefused() {
		assertThatThrownBy(() -> template().set("replicaCount", 3).call())
			.hasMessageContaining("replicaCount is 3 but redis.enabled is false");
	}

	@Test
	void templateWhenAutoscalingWithoutRedisThenRefused() {
		assertThatThrownBy(() -> template().set("autoscaling.enabled", true).call())
			.hasMessageContaining("autoscaling.maxReplicas is 5 but redis.enabled is false");
	}

	@Test
	void templateWhenLiteralApiKeyThenRefused() {
		assertThatThrownBy(() -> template().set("config.aoai.routing.backends[0].name", "swedencentral")
			.set("config.aoai.routing.backends[0].api-key", "0123456789abcdef")
			.call()).hasMessageContaining("api-key is a literal value").message().doesNotContain("0123456789abcdef");
	}

	@Test
	void templateWhenReplicaCountIsNotANumberThenRefusedBySchema() {
		assertThatThrownBy(() -> template().set("replicaCount", "three").call()).hasMessageContaining("/replicaCount")
			.hasMessageContaining("want integer");
	}

	@Test
	void templateWhenUnknownTopLevelKeyThenRefusedBySchema() {
		assertThatThrownBy(() -> template().set("replicas", 2).call())
			.hasMessageContaining("additional properties 'replicas' not allowed");
	}

	@Test
	void templateWhenWorkloadIdentityThenServiceAccountAnnotatedAndPodsLabelled() {
		List<Map<String, Object>> documents = render(template().set("workloadIdentity.enabled", true)
			.set("workloadIdentity.clientId", CLIENT_ID)
			.set("workloadIdentity.tenantId", TENANT_ID)
			.call());

		assertThat(get(single(documents, "ServiceAccount"), "metadata", "annotations"))
			.isEqualTo(Map.of(CLIENT_ID_ANNOTATION, CLIENT_ID, TENANT_ID_ANNOTATION, TENANT_ID));
		Map<String, Object> deployment = single(documents, "Deployment");
		assertThat(get(deployment, "spec", "template", "metadata", "labels", WORKLOAD_IDENTITY_LABEL))
			.isEqualTo("true");
		assertThat(map(get(deployment, "spec", "selector", "matchLabels"))).as("the selector is immutable")
			.doesNotContainKey(WORKLOAD_IDENTITY_LABEL);
		assertThat(get(deployment, "spec", "template", "spec", "serviceAccountName"))
			.isEqualTo(get(single(documents, "ServiceAccount"), "metadata", "name"));
	}

	@Test
	void installWhenWorkloadIdentityThenNotesNameTheFederatedCredentialSubject() {
		Release release = new Helm(CHART).install()
			.withName("gw")
			.withNamespace("ai")
			.set("workloadIdentity.enabled", true)
			.set("workloadIdentity.clientId", CLIENT_ID)
			.clientOnly()
			.dryRun()
			.call();

		assertThat(release.getOutput()).contains("subject system:serviceaccount:ai:gw-aoai-gateway")
			.contains("Cognitive Services OpenAI User");
	}

	@Test
	void templateWhenWorkloadIdentityWithoutTenantIdThenOnlyClientIdAnnotation() {
		List<Map<String, Object>> documents = render(
				template().set("workloadIdentity.enabled", true).set("workloadIdentity.clientId", CLIENT_ID).call());

		assertThat(get(single(documents, "ServiceAccount"), "metadata", "annotations"))
			.isEqualTo(Map.of(CLIENT_ID_ANNOTATION, CLIENT_ID));
	}

	@Test
	void templateWhenWorkloadIdentityDisabledThenNoAnnotationAndNoLabel() {
		List<Map<String, Object>> documents = render(template().set("workloadIdentity.clientId", CLIENT_ID).call());

		assertThat(get(single(documents, "ServiceAccount"), "metadata", "annotations")).isNull();
		assertThat(map(get(single(documents, "Deployment"), "spec", "template", "metadata", "labels")))
			.doesNotContainKey(WORKLOAD_IDENTITY_LABEL);
	}

	@Test
	void templateWhenWorkloadIdentityWithoutClientIdThenRefusedBySchema() {
		assertThatThrownBy(() -> template().set("workloadIdentity.enabled", true).call())
			.hasMessageContaining("/workloadIdentity/clientId")
			.hasMessageContaining("minLength");
	}

	@Test
	void templateWhenClientIdIsNotAGuidThenRefusedBySchema() {
		assertThatThrownBy(() -> template().set("workloadIdentity.enabled", true)
			.set("workloadIdentity.clientId", "aoai-gateway")
			.call()).hasMessageContaining("/workloadIdentity/clientId").hasMessageContaining("does not match pattern");
	}

	@Test
	void templateWhenWorkloadIdentityOnAnExistingServiceAccountThenOnlyPodsLabelled() {
		List<Map<String, Object>> documents = render(template().set("workloadIdentity.enabled", true)
			.set("serviceAccount.create", false)
			.set("serviceAccount.name", "platform-gateway")
			.call());

		assertThat(kinds(documents)).doesNotContain("ServiceAccount");
		Map<String, Object> deployment = single(documents, "Deployment");
		assertThat(get(deployment, "spec", "template", "metadata", "labels", WORKLOAD_IDENTITY_LABEL))
			.isEqualTo("true");
		assertThat(get(deployment, "spec", "template", "spec", "serviceAccountName")).isEqualTo("platform-gateway");
	}

	@Test
	void templateWhenClientIdForAnExistingServiceAccountThenRefused() {
		assertThatThrownBy(() -> template().set("workloadIdentity.enabled", true)
			.set("workloadIdentity.clientId", CLIENT_ID)
			.set("serviceAccount.create", false)
			.set("serviceAccount.name", "platform-gateway")
			.call())
			.hasMessageContaining("workloadIdentity.clientId or tenantId is set but serviceAccount.create is false")
			.hasMessageContaining("Annotate ServiceAccount platform-gateway with azure.workload.identity/client-id");
	}

	@Test
	void templateWhenServiceAccountAnnotationDisagreesWithClientIdThenRefused(@TempDir Path tmp) throws IOException {
		String values = """
				serviceAccount:
				  annotations:
				    azure.workload.identity/client-id: 00000000-0000-0000-0000-00000000abcd
				workloadIdentity:
				  enabled: true
				  clientId: %s
				""".formatted(CLIENT_ID);

		assertThatThrownBy(() -> template(tmp, values).call()).hasMessageContaining(
				"serviceAccount.annotations sets azure.workload.identity/client-id to 00000000-0000-0000-0000-00000000abcd but workloadIdentity sets "
						+ CLIENT_ID);
	}

	@ParameterizedTest
	@ValueSource(strings = { "workload-identity", "WORKLOAD_IDENTITY", "workload_identity" })
	void templateWhenWorkloadIdentityCredentialWithoutWorkloadIdentityThenRefused(String type, @TempDir Path tmp)
			throws IOException {
		String values = KEYLESS_CONFIG.replace("type: workload-identity", "type: " + type);

		assertThatThrownBy(() -> template(tmp, values).call()).hasMessageContaining(
				"config.aoai.identity.credentials.aks is of type workload-identity but workloadIdentity.enabled is false: "
						+ "set workloadIdentity.enabled=true and workloadIdentity.clientId");
	}

	@Test
	void templateWhenWorkloadIdentityCredentialOnAnExistingServiceAccountWithoutTheLabelThenRefused(@TempDir Path tmp)
			throws IOException {
		String values = KEYLESS_CONFIG + """
				serviceAccount:
				  create: false
				  name: platform-gateway
				""";

		assertThatThrownBy(() -> template(tmp, values).call()).hasMessageContaining(
				"config.aoai.identity.credentials.aks is of type workload-identity but workloadIdentity.enabled is false: "
						+ "set workloadIdentity.enabled=true (it labels the pods for the AKS webhook) "
						+ "and annotate ServiceAccount platform-gateway");
	}

	@Test
	void templateWhenWorkloadIdentityCredentialOnPodsLabelledByHandThenAccepted(@TempDir Path tmp) throws IOException {
		String values = KEYLESS_CONFIG + """
				serviceAccount:
				  annotations:
				    azure.workload.identity/client-id: %s
				podLabels:
				  azure.workload.identity/use: "true"
				""".formatted(CLIENT_ID);

		List<Map<String, Object>> documents = render(template(tmp, values).call());

		assertThat(
				get(single(documents, "Deployment"), "spec", "template", "metadata", "labels", WORKLOAD_IDENTITY_LABEL))
			.isEqualTo("true");
		assertThat(get(single(documents, "ServiceAccount"), "metadata", "annotations", CLIENT_ID_ANNOTATION))
			.isEqualTo(CLIENT_ID);
	}

	@Test
	void templateWhenEveryBackendKeylessThenNoBackendSecretNeeded(@TempDir Path tmp) throws IOException {
		String values = KEYLESS_CONFIG + """
				workloadIdentity:
				  enabled: true
				  clientId: %s
				""".formatted(CLIENT_ID);

		List<Map<String, Object>> documents = render(template(tmp, values).call());

		assertThat(maps(get(container(single(documents, "Deployment")), "env")))
			.allSatisfy((variable) -> assertThat(variable).doesNotContainKey("valueFrom"));
		assertThat(maps(get(applicationYaml(documents), "aoai", "routing", "backends"))).allSatisfy(
				(backend) -> assertThat(backend).containsEntry("credential", "aks").doesNotContainKey("api-key"));
	}

	@Test
	void templateWhenBackendHasNeitherApiKeyNorCredentialThenRefused() {
		assertThatThrownBy(() -> template().set("config.aoai.routing.backends[0].name", "swedencentral")
			.set("config.aoai.routing.backends[0].api-key", "${SWEDENCENTRAL_API_KEY}")
			.set("config.aoai.routing.backends[1].name", "eastus2")
			.call()).hasMessageContaining(
					"config.aoai.routing.backends[1] (eastus2) has neither an api-key nor a credential: set credential");
	}

	@Test
	void templateWhenBackendHasBothApiKeyAndCredentialThenRefused(@TempDir Path tmp) throws IOException {
		String values = KEYLESS_CONFIG.replace("credential: aks", "credential: aks\n          apiKey: ${SWC_KEY}");

		assertThatThrownBy(() -> template(tmp, values).call()).hasMessageContaining(
				"config.aoai.routing.backends[0] (swedencentral) has both an api-key and a credential");
	}

	@Test
	void templateWhenBackendApiKeyFromTheEnvironmentThenAccepted() {
		List<Map<String, Object>> documents = render(
				template().set("config.aoai.routing.backends[0].name", "swedencentral")
					.set("backends.existingSecret", "aoai-backend-keys")
					.set("backends.apiKeyEnv[0].name", "AOAI_ROUTING_BACKENDS_0_APIKEY")
					.set("backends.apiKeyEnv[0].key", "swedencentral")
					.call());

		assertThat(maps(get(container(single(documents, "Deployment")), "env")))
			.anySatisfy((variable) -> assertThat(variable).containsEntry("name", "AOAI_ROUTING_BACKENDS_0_APIKEY"));
	}

	@Test
	void templateWhenBackendCredentialIsNotDefinedThenRefused(@TempDir Path tmp) throws IOException {
		String values = KEYLESS_CONFIG.replace("credential: aks", "credential: ask");

		assertThatThrownBy(() -> template(tmp, values).call()).hasMessageContaining(
				"config.aoai.routing.backends[0].credential is ask but config.aoai.identity.credentials has no credential of that name");
	}

	@Test
	void templateWhenLiteralClientSecretThenRefused() {
		assertThatThrownBy(() -> template().set("config.aoai.identity.credentials.app.type", "client-secret")
			.set("config.aoai.identity.credentials.app.client-secret", "s3cr3t-Value~0123")
			.call()).hasMessageContaining("config.aoai.identity.credentials.app.client-secret is a literal value")
			.message()
			.doesNotContain("s3cr3t-Value~0123");
	}

	@Test
	void templateWhenClientSecretEnvWithoutExistingSecretThenRefused() {
		assertThatThrownBy(() -> template().set("identity.clientSecretEnv[0].name", "AOAI_IDENTITY_CLIENT_SECRET")
			.set("identity.clientSecretEnv[0].key", "client-secret")
			.call()).hasMessageContaining("identity.clientSecretEnv is set but identity.existingSecret is empty");
	}

	@Test
	void templateWhenClientSecretFromTheIdentitySecretThenEnvFromThatSecret() {
		List<Map<String, Object>> documents = render(template().set("identity.existingSecret", "aoai-gateway-identity")
			.set("identity.clientSecretEnv[0].name", "AOAI_IDENTITY_CLIENT_SECRET")
			.set("identity.clientSecretEnv[0].key", "client-secret")
			.call());

		assertThat(maps(get(container(single(documents, "Deployment")), "env"))).anySatisfy((variable) -> {
			assertThat(variable).containsEntry("name", "AOAI_IDENTITY_CLIENT_SECRET").doesNotContainKey("value");
			assertThat(get(variable, "valueFrom", "secretKeyRef"))
				.isEqualTo(Map.of("name", "aoai-gateway-identity", "key", "client-secret"));
		});
	}

	@Test
	void templateWhenCertificateSecretThenMountedReadOnly() {
		List<Map<String, Object>> documents = render(
				template().set("identity.certificateSecret", "aoai-gateway-identity-cert").call());

		Map<String, Object> deployment = single(documents, "Deployment");
		Map<String, Object> mount = maps(get(container(deployment), "volumeMounts")).stream()
			.filter((candidate) -> CERTIFICATE_DIRECTORY.equals(candidate.get("mountPath")))
			.findFirst()
			.orElseThrow();
		assertThat(mount).containsEntry("readOnly", true);
		Map<String, Object> volume = maps(get(deployment, "spec", "template", "spec", "volumes")).stream()
			.filter((candidate) -> mount.get("name").equals(candidate.get("name")))
			.findFirst()
			.orElseThrow();
		assertThat(get(volume, "secret", "secretName")).isEqualTo("aoai-gateway-identity-cert");
		assertThat(get(volume, "secret", "defaultMode")).as("0440").isEqualTo(0440);
	}

	@Test
	void templateWhenClientCertificateWithoutCertificateSecretThenRefused() {
		assertThatThrownBy(() -> template().set("config.aoai.identity.credentials.cert.type", "client-certificate")
			.set("config.aoai.identity.credentials.cert.certificate-path", CERTIFICATE_DIRECTORY + "/tls.pem")
			.call())
			.hasMessageContaining(
					"config.aoai.identity.credentials.cert is of type client-certificate but identity.certificateSecret is empty")
			.hasMessageContaining("mounted at " + CERTIFICATE_DIRECTORY);
	}

	@Test
	void templateWhenCallerKeysSecretThenMountedAndTheGatewayReadsItsFile() {
		List<Map<String, Object>> documents = render(
				template().set("callerKeys.existingSecret", "aoai-gateway-caller-keys").call());

		Map<String, Object> deployment = single(documents, "Deployment");
		assertThat(maps(get(deployment, "spec", "template", "spec", "volumes")))
			.filteredOn((volume) -> "caller-keys".equals(volume.get("name")))
			.singleElement()
			.satisfies(
					(volume) -> assertThat(get(volume, "secret", "secretName")).isEqualTo("aoai-gateway-caller-keys"));
		assertThat(maps(get(container(deployment), "volumeMounts")))
			.filteredOn((mount) -> "caller-keys".equals(mount.get("name")))
			.singleElement()
			.satisfies((mount) -> assertThat(mount).containsEntry("mountPath", "/var/run/secrets/aoai-caller-keys")
				.containsEntry("readOnly", true)
				.doesNotContainKey("subPath"));
		Map<String, Object> keys = map(get(applicationYaml(documents), "aoai", "caller-keys"));
		assertThat(keys).containsEntry("enabled", true)
			.containsEntry("file", "/var/run/secrets/aoai-caller-keys/keys.yaml");
	}

	@Test
	void templateWhenCallerKeysSecretWithRedisThenRefused() {
		assertThatThrownBy(() -> template().set("callerKeys.existingSecret", "aoai-gateway-caller-keys")
			.set("redis.enabled", true)
			.set("redis.host", "redis.example")
			.call()).hasMessageContaining("callerKeys.existingSecret is set but redis.enabled is true");
	}

	@Test
	void templateWhenCertificatePathOutsideTheMountThenRefused() {
		assertThatThrownBy(() -> template().set("identity.certificateSecret", "aoai-gateway-identity-cert")
			.set("config.aoai.identity.credentials.cert.type", "client-certificate")
			.set("config.aoai.identity.credentials.cert.certificate-path", "/etc/aoai/tls.pem")
			.call()).hasMessageContaining(
					"config.aoai.identity.credentials.cert.certificate-path is /etc/aoai/tls.pem, outside "
							+ CERTIFICATE_DIRECTORY);
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("readmeValues")
	void templateWhenReadmeValuesThenRendersWithSecretsOnlyFromSecrets(ValuesExample example, @TempDir Path tmp)
			throws IOException {
		List<Map<String, Object>> documents = render(template(tmp, example.yaml()).call());

		assertWellFormed(documents);
		assertThat(kinds(documents)).contains("Deployment", "ConfigMap");
		assertThat(maps(get(container(single(documents, "Deployment")), "env"))).allSatisfy((variable) -> {
			if (variable.containsKey("valueFrom")) {
				assertThat(get(variable, "valueFrom", "secretKeyRef", "name")).as("%s", variable).isNotNull();
			}
		});
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("readmeValues")
	void templateWhenReadmeValuesThenApplicationYamlBindsToTheGatewayProperties(ValuesExample example,
			@TempDir Path tmp) throws IOException {
		Path application = tmp.resolve("application.yaml");
		Files.writeString(application, yaml().dump(applicationYaml(render(template(tmp, example.yaml()).call()))));
		List<PropertySource<?>> sources = new YamlPropertySourceLoader().load(application.toString(),
				new FileSystemResource(application));

		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
			.withUserConfiguration(GatewayProperties.class)
			.withInitializer((context) -> sources.forEach(context.getEnvironment().getPropertySources()::addFirst))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				RoutingProperties routing = context.getBean(RoutingProperties.class);
				IdentityProperties identity = context.getBean(IdentityProperties.class);
				assertThat(routing.backends()).isNotEmpty()
					.allSatisfy((backend) -> assertThat(
							backend.credential() == null || identity.credentials().containsKey(backend.credential()))
						.as("credential of %s", backend.name())
						.isTrue());
			});
	}

	@Test
	void templateWhenReadmeKeylessInstallThenWorkloadIdentityAndNoSecret(@TempDir Path tmp) throws IOException {
		List<ValuesExample> keyless = readmeValues()
			.filter((example) -> example.heading().equals("Keyless install (workload identity)"))
			.toList();
		assertThat(keyless).hasSize(1);
		Map<String, Object> values = map(yaml().load(keyless.get(0).yaml()));

		List<Map<String, Object>> documents = render(template(tmp, keyless.get(0).yaml()).call());

		Map<String, Object> deployment = single(documents, "Deployment");
		assertThat(get(deployment, "spec", "template", "metadata", "labels", WORKLOAD_IDENTITY_LABEL))
			.isEqualTo("true");
		assertThat(get(single(documents, "ServiceAccount"), "metadata", "annotations", CLIENT_ID_ANNOTATION))
			.isEqualTo(get(values, "workloadIdentity", "clientId"));
		assertThat(get(deployment, "spec", "template", "spec", "serviceAccountName")).isEqualTo("aoai-gateway");
		assertThat(maps(get(container(deployment), "env")))
			.allSatisfy((variable) -> assertThat(variable).doesNotContainKey("valueFrom"));
		assertThat(maps(get(deployment, "spec", "template", "spec", "volumes")))
			.allSatisfy((volume) -> assertThat(volume).doesNotContainKey("secret"));
		assertThat(maps(get(applicationYaml(documents), "aoai", "routing", "backends"))).isNotEmpty()
			.allSatisfy((backend) -> assertThat(backend).containsKey("credential").doesNotContainKey("api-key"));
	}

	static Stream<ValuesExample> readmeValues() {
		List<ValuesExample> examples = ChartReadmeFixtures.valuesExamples();
		assertThat(examples).extracting(ValuesExample::heading)
			.contains("Install", "Keyless install (workload identity)", "Client secret or certificate instead",
					"Priority classes and money budgets");
		return examples.stream();
	}

	private static TemplateCommand template() {
		return new Helm(CHART).template().withName("gw").withNamespace("ai");
	}

	private static TemplateCommand template(Path directory, String values) throws IOException {
		Path file = Files.writeString(Files.createTempFile(directory, "values-", ".yaml"), values);
		return template().withValuesFile(file);
	}

	private static void assertWellFormed(List<Map<String, Object>> documents) {
		assertThat(documents).isNotEmpty().allSatisfy((document) -> {
			assertThat(document.get("apiVersion")).as("apiVersion of %s", document).isNotNull();
			assertThat(document.get("kind")).as("kind of %s", document).isNotNull();
			assertThat(get(document, "metadata", "name")).as("metadata.name of %s", document.get("kind")).isNotNull();
		});
	}

	private static void assertGatewayContainer(Map<String, Object> deployment) {
		Map<String, Object> container = container(deployment);
		assertThat(get(container, "startupProbe", "httpGet", "path")).isEqualTo("/actuator/health/liveness");
		assertThat(get(container, "startupProbe", "failureThreshold")).isEqualTo(30);
		assertThat(get(container, "livenessProbe", "httpGet", "path")).isEqualTo("/actuator/health/liveness");
		assertThat(get(container, "readinessProbe", "httpGet", "path")).isEqualTo("/actuator/health/readiness");
		assertThat(get(container, "securityContext", "readOnlyRootFilesystem")).isEqualTo(true);
		assertThat(get(container, "securityContext", "runAsNonRoot")).isEqualTo(true);
		assertThat(get(container, "securityContext", "allowPrivilegeEscalation")).isEqualTo(false);
		assertThat(get(container, "resources", "requests", "memory")).isEqualTo("768Mi");
		assertThat(get(container, "resources", "limits", "memory")).isEqualTo("1Gi");
		assertThat(get(container, "resources", "limits", "cpu")).isNull();
		assertThat(get(container, "lifecycle", "preStop", "exec", "command")).isEqualTo(List.of("sleep", "10"));
		assertThat(get(deployment, "spec", "template", "spec", "terminationGracePeriodSeconds")).isEqualTo(60);
		assertThat(get(deployment, "spec", "template", "metadata", "annotations", "checksum/config")).isNotNull();
		assertThat(maps(get(container, "env"))).anySatisfy((variable) -> {
			assertThat(variable.get("name")).isEqualTo("SPRING_CONFIG_ADDITIONAL_LOCATION");
			assertThat(variable.get("value")).isEqualTo("file:/config/application.yaml");
		});
		assertThat(maps(get(container, "volumeMounts"))).extracting((mount) -> mount.get("mountPath"))
			.contains("/config", "/tmp");
	}

	private static Map<String, Object> container(Map<String, Object> deployment) {
		List<Map<String, Object>> containers = maps(get(deployment, "spec", "template", "spec", "containers"));
		assertThat(containers).hasSize(1);
		return containers.get(0);
	}

	private static Map<String, Object> applicationYaml(List<Map<String, Object>> documents) {
		Map<String, Object> configMap = documents.stream()
			.filter((document) -> "ConfigMap".equals(document.get("kind")))
			.filter((document) -> get(document, "data", "application.yaml") != null)
			.findFirst()
			.orElseThrow();
		return yaml().load((String) get(configMap, "data", "application.yaml"));
	}

	private static Map<String, Object> single(List<Map<String, Object>> documents, String kind) {
		List<Map<String, Object>> ofKind = documents.stream()
			.filter((document) -> kind.equals(document.get("kind")))
			.toList();
		assertThat(ofKind).as(kind).hasSize(1);
		return ofKind.get(0);
	}

	private static List<String> kinds(List<Map<String, Object>> documents) {
		return documents.stream().map((document) -> (String) document.get("kind")).distinct().toList();
	}

	private static List<Map<String, Object>> render(String rendered) {
		List<Map<String, Object>> documents = new ArrayList<>();
		for (Object document : yaml().loadAll(rendered)) {
			if (document != null) {
				documents.add(map(document));
			}
		}
		return documents;
	}

	private static Object get(Map<String, Object> root, String... path) {
		Object node = root;
		for (String key : path) {
			if (!(node instanceof Map<?, ?> map)) {
				return null;
			}
			node = map.get(key);
		}
		return node;
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> map(Object node) {
		assertThat(node).isInstanceOf(Map.class);
		return (Map<String, Object>) node;
	}

	private static List<?> list(Object node) {
		assertThat(node).isInstanceOf(List.class);
		return (List<?>) node;
	}

	private static List<Map<String, Object>> maps(Object node) {
		return list(node).stream().map(HelmChartTests::map).toList();
	}

	private static Map<String, Object> load(Path file) throws IOException {
		return map(yaml().load(Files.readString(file)));
	}

	/**
	 * Helm's merge of a values file over the defaults: maps merge key by key, anything
	 * else is replaced.
	 */
	private static Map<String, Object> merge(Map<String, Object> defaults, Map<String, Object> overrides) {
		Map<String, Object> merged = new LinkedHashMap<>(defaults);
		overrides.forEach((key, value) -> {
			Object current = merged.get(key);
			merged.put(key, (current instanceof Map && value instanceof Map) ? merge(map(current), map(value)) : value);
		});
		return merged;
	}

	private static Path copyChart(Path target) throws IOException {
		try (Stream<Path> files = Files.walk(CHART)) {
			for (Path source : files.toList()) {
				Path copy = target.resolve(CHART.relativize(source).toString());
				if (Files.isDirectory(source)) {
					Files.createDirectories(copy);
				}
				else {
					Files.copy(source, copy);
				}
			}
		}
		return target;
	}

	private static Yaml yaml() {
		return new Yaml(new SafeConstructor(new LoaderOptions()));
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties({ RoutingProperties.class, AuthProperties.class, QuotaProperties.class,
			StateProperties.class, FailoverProperties.class, AffinityProperties.class, IdentityProperties.class,
			CallerKeysProperties.class, PriorityProperties.class, PricingProperties.class })
	static class GatewayProperties {

		@Bean
		static DeploymentConverter deploymentConverter() {
			return new DeploymentConverter();
		}

	}

}
