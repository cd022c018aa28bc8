package io.aoaigateway.helm;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.Yaml;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rendered manifests, read as the Kubernetes API's own types (the fabric8 models,
 * generated from the Kubernetes OpenAPI schemas): a misspelt field, a field in the wrong
 * place or a value of the wrong type fails here, offline, as it would at
 * {@code kubectl apply}.
 */
class KubernetesManifestsTests {

	private static final Path CHART = Path.of("helm", "aoai-gateway");

	private static final Map<String, Class<?>> TYPES = Map.of("Deployment", Deployment.class, "Service", Service.class,
			"ConfigMap", ConfigMap.class, "ServiceAccount", ServiceAccount.class, "HorizontalPodAutoscaler",
			HorizontalPodAutoscaler.class, "PodDisruptionBudget", PodDisruptionBudget.class);

	// Values of the wrong type fail to convert; unknown fields land in
	// additionalProperties, checked below.
	private static final KubernetesSerialization KUBERNETES = new KubernetesSerialization();

	static Stream<Arguments> values() throws IOException {
		Stream<Arguments> files = Stream.of(Arguments.of("default values", ""), Arguments.of("full-values.yaml",
				Files.readString(Path.of("src/test/resources/helm/full-values.yaml"))));
		Stream<Arguments> readme = ChartReadmeFixtures.valuesExamples()
			.stream()
			.map((example) -> Arguments.of("README: " + example.name(), example.yaml()));
		return Stream.concat(files, readme);
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("values")
	void manifestsWhenReadAsKubernetesTypesThenEveryFieldIsKnown(String name, String values, @TempDir Path tmp)
			throws Exception {
		TemplateCommand template = new Helm(CHART).template().withName("gw").withNamespace("ai");
		if (!values.isEmpty()) {
			template = template.withValuesFile(Files.writeString(tmp.resolve("values.yaml"), values));
		}
		List<String> unknown = new ArrayList<>();
		List<String> checked = new ArrayList<>();
		for (Object document : new Yaml().loadAll(template.call())) {
			if (!(document instanceof Map<?, ?> manifest) || !TYPES.containsKey(manifest.get("kind"))) {
				continue;
			}
			String kind = (String) manifest.get("kind");
			collectUnknown(KUBERNETES.convertValue(manifest, TYPES.get(kind)), kind, unknown, 0);
			checked.add(kind);
		}

		assertThat(checked).contains("Deployment", "Service", "ConfigMap", "ServiceAccount");
		assertThat(unknown).as("fields Kubernetes does not know").isEmpty();
	}

	// Every fabric8 model object keeps the fields it does not know in
	// additionalProperties.
	private static void collectUnknown(Object node, String path, List<String> unknown, int depth) throws Exception {
		if (node == null || depth > 40) {
			return;
		}
		if (node instanceof Collection<?> items) {
			int index = 0;
			for (Object item : items) {
				collectUnknown(item, path + "[" + index++ + "]", unknown, depth + 1);
			}
			return;
		}
		if (node instanceof Map<?, ?> entries) {
			for (Map.Entry<?, ?> entry : entries.entrySet()) {
				collectUnknown(entry.getValue(), path + "." + entry.getKey(), unknown, depth + 1);
			}
			return;
		}
		if (!node.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
			return;
		}
		for (Method getter : node.getClass().getMethods()) {
			if (getter.getParameterCount() != 0 || !getter.getName().startsWith("get")
					|| Modifier.isStatic(getter.getModifiers()) || getter.getDeclaringClass() == Object.class) {
				continue;
			}
			Object value = getter.invoke(node);
			if (getter.getName().equals("getAdditionalProperties")) {
				if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
					unknown.add(path + ": " + extra.keySet());
				}
			}
			else if (value != node) {
				collectUnknown(value, path + "." + getter.getName().substring(3), unknown, depth + 1);
			}
		}
	}

}
