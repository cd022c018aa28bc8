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
import com.marcnuri.helm.TemplateCommand;
import io.aoaigateway.affinity.AffinityProperties;
import io.aoaigateway.auth.AuthProperties;
import io.aoaigateway.quota.QuotaProperties;
import io.aoaigateway.resilience.FailoverProperties;
import io.aoaigateway.routing.DeploymentConverter;
import io.aoaigateway.routing.RoutingProperties;
import io.aoaigateway.state.StateProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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
	}

	@Test
	void templateWhenFullValuesThenApiKeysOnlyFromTheExistingSecret() {
		String rendered = template().withValuesFile(FULL_VALUES).call();
		List<Map<String, Object>> documents = render(rendered);

		assertThat(kinds(documents)).doesNotContain("Secret");
		List<Map<String, Object>> backends = maps(get(applicationYaml(documents), "aoai", "routing", "backends"));
		assertThat(backends).hasSize(2)
			.allSatisfy((backend) -> assertThat(String.valueOf(backend.get("api-key"))).matches(PLACEHOLDER));
		List<Map<String, Object>> env = maps(get(container(single(documents, "Deployment")), "env"));
		List<Map<String, Object>> secretEnv = env.stream()
			.filter((variable) -> String.valueOf(variable.get("name")).matches(".*(_API_KEY|PASSWORD)$"))
			.toList();
		assertThat(secretEnv).extracting((variable) -> variable.get("name"))
			.containsExactlyInAnyOrder("SWEDENCENTRAL_API_KEY", "EUS2_API_KEY", "REDIS_PASSWORD");
		assertThat(secretEnv).allSatisfy((variable) -> {
			assertThat(variable).doesNotContainKey("value");
			assertThat(get(variable, "valueFrom", "secretKeyRef", "name")).isIn("aoai-backend-keys",
					"aoai-gateway-redis");
		});
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

	private static TemplateCommand template() {
		return new Helm(CHART).template().withName("gw").withNamespace("ai");
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
			.containsExactlyInAnyOrder("/config", "/tmp");
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
			StateProperties.class, FailoverProperties.class, AffinityProperties.class })
	static class GatewayProperties {

		@Bean
		static DeploymentConverter deploymentConverter() {
			return new DeploymentConverter();
		}

	}

}
