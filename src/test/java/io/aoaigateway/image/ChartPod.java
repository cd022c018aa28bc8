package io.aoaigateway.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.representer.Representer;

/**
 * The gateway's pod as the Helm chart renders it, and the {@code podman run} that stands
 * in for the kubelet. Everything that shapes the container is read from the rendered
 * manifests, not restated here, so a change to the chart changes what is run; a setting
 * this stand-in does not know fails the test rather than being dropped.
 */
final class ChartPod {

	private static final Path CHART = Path.of("helm", "aoai-gateway");

	private static final KubernetesSerialization KUBERNETES = new KubernetesSerialization();

	private final PodSpec pod;

	private final Container container;

	private final Map<String, ConfigMap> configMaps;

	private ChartPod(PodSpec pod, Map<String, ConfigMap> configMaps) {
		this.pod = pod;
		this.container = pod.getContainers().get(0);
		this.configMaps = configMaps;
	}

	/**
	 * Renders the chart ({@code helm template}) with the given values.
	 * @param values the values, written to a file in {@code directory}
	 * @param directory where the values file goes
	 * @return the rendered pod
	 */
	static ChartPod render(Map<String, Object> values, Path directory) {
		try {
			Path file = Files.createTempFile(directory, "values-", ".yaml");
			DumperOptions options = new DumperOptions();
			options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
			Files.writeString(file, new Yaml(new Representer(options), options).dump(values));
			String rendered = new Helm(CHART).template().withName("gw").withNamespace("ai").withValuesFile(file).call();
			Deployment deployment = null;
			Map<String, ConfigMap> configMaps = new LinkedHashMap<>();
			for (Object document : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(rendered)) {
				if (!(document instanceof Map<?, ?> manifest)) {
					continue;
				}
				if ("Deployment".equals(manifest.get("kind"))) {
					deployment = KUBERNETES.convertValue(manifest, Deployment.class);
				}
				else if ("ConfigMap".equals(manifest.get("kind"))) {
					ConfigMap configMap = KUBERNETES.convertValue(manifest, ConfigMap.class);
					configMaps.put(configMap.getMetadata().getName(), configMap);
				}
			}
			Objects.requireNonNull(deployment, "the chart rendered no Deployment");
			PodSpec pod = deployment.getSpec().getTemplate().getSpec();
			if (pod.getContainers().size() != 1) {
				throw new AssertionError("expected one container, the chart rendered " + pod.getContainers().size());
			}
			return new ChartPod(pod, configMaps);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	Container container() {
		return this.container;
	}

	/**
	 * @return the uid the kubelet runs the container as (container over pod setting)
	 */
	long runAsUser() {
		SecurityContext own = this.container.getSecurityContext();
		Long user = (own != null) ? own.getRunAsUser() : null;
		return Objects.requireNonNull((user != null) ? user : podSecurity().getRunAsUser(), "runAsUser");
	}

	/**
	 * @return the primary gid the kubelet runs the container with
	 */
	long runAsGroup() {
		SecurityContext own = this.container.getSecurityContext();
		Long group = (own != null) ? own.getRunAsGroup() : null;
		return Objects.requireNonNull((group != null) ? group : podSecurity().getRunAsGroup(), "runAsGroup");
	}

	/**
	 * @param kind {@code startup}, {@code readiness} or {@code liveness}
	 * @return the probe's HTTP path
	 */
	String probePath(String kind) {
		return Objects.requireNonNull(probe(kind).getHttpGet(), kind + " probe is not httpGet").getPath();
	}

	/**
	 * @param kind {@code startup}, {@code readiness} or {@code liveness}
	 * @return how long Kubernetes lets the probe fail before it acts: the initial delay
	 * plus period × failure threshold
	 */
	Duration probeBudget(String kind) {
		Probe probe = probe(kind);
		int delay = Objects.requireNonNullElse(probe.getInitialDelaySeconds(), 0);
		int period = Objects.requireNonNullElse(probe.getPeriodSeconds(), 10);
		int failures = Objects.requireNonNullElse(probe.getFailureThreshold(), 3);
		return Duration.ofSeconds(delay + (long) period * failures);
	}

	Duration terminationGracePeriod() {
		return Duration.ofSeconds(Objects.requireNonNullElse(this.pod.getTerminationGracePeriodSeconds(), 30L));
	}

	/**
	 * @return the preStop hook's command, run in the container before SIGTERM
	 */
	List<String> preStopCommand() {
		return this.container.getLifecycle().getPreStop().getExec().getCommand();
	}

	/**
	 * @return the pause the preStop hook makes: its {@code sleep} argument
	 */
	Duration preStopSleep() {
		List<String> command = preStopCommand();
		if (command.size() != 2 || !command.get(0).equals("sleep")) {
			throw new AssertionError("expected a preStop [sleep, N], got " + command);
		}
		return Duration.ofSeconds(Long.parseLong(command.get(1)));
	}

	BigDecimal memoryLimitBytes() {
		return Quantity.getAmountInBytes(this.container.getResources().getLimits().get("memory"));
	}

	/**
	 * The {@code podman run} options, image and arguments that run the container as the
	 * kubelet would.
	 * @param listenPort the port the gateway listens on (see below)
	 * @param secrets the Secrets the container's env refers to: name, then key, then
	 * value
	 * @param volumes where the ConfigMap volumes are written
	 * @param environment receives the values of the container's env, which podman passes
	 * on
	 * @return the arguments
	 */
	List<String> runArguments(int listenPort, Map<String, Map<String, String>> secrets, Path volumes,
			Map<String, String> environment) {
		List<String> arguments = new ArrayList<>();
		// Stand-in for the pod network: the container shares the host's, so it reaches
		// the
		// simulator and the issuer on 127.0.0.1 as a pod reaches its backends, and the
		// gateway moves from its container port to a free one so that runs never clash.
		arguments.addAll(List.of("--network", "host"));
		securityArguments(arguments);
		volumeArguments(arguments, volumes);
		resourceArguments(arguments);
		environment(secrets, environment);
		environment.put("SERVER_PORT", Integer.toString(listenPort));
		environment.keySet().forEach((name) -> arguments.addAll(List.of("--env", name)));
		arguments.add("--pull=" + pullPolicy());
		if (this.container.getCommand() != null && !this.container.getCommand().isEmpty()) {
			throw new AssertionError("the chart sets a command; this stand-in runs the image's entrypoint");
		}
		arguments.add(this.container.getImage());
		if (this.container.getArgs() != null) {
			arguments.addAll(this.container.getArgs());
		}
		return arguments;
	}

	/**
	 * @return the container port the probes reach (the gateway's {@code http} port)
	 */
	int probedContainerPort() {
		IntOrString port = probe("readiness").getHttpGet().getPort();
		if (port.getIntVal() != null) {
			return port.getIntVal();
		}
		return this.container.getPorts()
			.stream()
			.filter((candidate) -> port.getStrVal().equals(candidate.getName()))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no container port named " + port.getStrVal()))
			.getContainerPort();
	}

	private void securityArguments(List<String> arguments) {
		PodSecurityContext pod = podSecurity();
		SecurityContext own = Objects.requireNonNull(this.container.getSecurityContext(), "securityContext");
		long user = runAsUser();
		Boolean nonRoot = (own.getRunAsNonRoot() != null) ? own.getRunAsNonRoot() : pod.getRunAsNonRoot();
		if (Boolean.TRUE.equals(nonRoot) && user == 0) {
			throw new AssertionError("runAsNonRoot with runAsUser 0: the kubelet would refuse to start it");
		}
		arguments.addAll(List.of("--user", user + ":" + runAsGroup()));
		if (pod.getFsGroup() != null) {
			arguments.addAll(List.of("--group-add", pod.getFsGroup().toString()));
		}
		if (pod.getSupplementalGroups() != null) {
			pod.getSupplementalGroups().forEach((group) -> arguments.addAll(List.of("--group-add", group.toString())));
		}
		if (Boolean.TRUE.equals(own.getReadOnlyRootFilesystem())) {
			// Without --read-only-tmpfs=false podman would add writable /tmp, /var/tmp
			// and
			// /run; Kubernetes adds none: only the pod's volumes are writable.
			arguments.addAll(List.of("--read-only", "--read-only-tmpfs=false"));
		}
		if (Boolean.FALSE.equals(own.getAllowPrivilegeEscalation())) {
			arguments.addAll(List.of("--security-opt", "no-new-privileges"));
		}
		if (Boolean.TRUE.equals(own.getPrivileged())) {
			throw new AssertionError("the chart asks for a privileged container");
		}
		if (own.getCapabilities() != null) {
			List<String> drop = Objects.requireNonNullElse(own.getCapabilities().getDrop(), List.of());
			drop.forEach((capability) -> arguments.addAll(List.of("--cap-drop", capability)));
			List<String> add = Objects.requireNonNullElse(own.getCapabilities().getAdd(), List.of());
			add.forEach((capability) -> arguments.addAll(List.of("--cap-add", capability)));
		}
		String seccomp = (own.getSeccompProfile() != null) ? own.getSeccompProfile().getType()
				: (pod.getSeccompProfile() != null) ? pod.getSeccompProfile().getType() : "RuntimeDefault";
		// RuntimeDefault is podman's default profile: nothing to add.
		if (!"RuntimeDefault".equals(seccomp)) {
			throw new AssertionError("seccompProfile " + seccomp + " is not stood in");
		}
	}

	private void volumeArguments(List<String> arguments, Path directory) {
		for (VolumeMount mount : this.container.getVolumeMounts()) {
			if (mount.getSubPath() != null) {
				throw new AssertionError("subPath mounts are not stood in: " + mount);
			}
			Volume volume = this.pod.getVolumes()
				.stream()
				.filter((candidate) -> candidate.getName().equals(mount.getName()))
				.findFirst()
				.orElseThrow(() -> new AssertionError("no volume " + mount.getName()));
			if (volume.getConfigMap() != null) {
				Path files = writeConfigMap(volume, directory.resolve(volume.getName()));
				// ConfigMap volumes are read-only in Kubernetes whatever the mount says.
				arguments.addAll(List.of("--volume", files + ":" + mount.getMountPath() + ":ro"));
			}
			else if (volume.getEmptyDir() != null) {
				// An emptyDir is a fresh, writable, per-pod directory: a tmpfs here.
				String options = "type=tmpfs,destination=" + mount.getMountPath() + ",tmpfs-mode=1777";
				Quantity size = volume.getEmptyDir().getSizeLimit();
				if (size != null) {
					options += ",tmpfs-size=" + Quantity.getAmountInBytes(size).toBigInteger();
				}
				arguments.addAll(List.of("--mount", options));
			}
			else {
				throw new AssertionError("volume " + volume.getName() + " is of a kind not stood in");
			}
		}
	}

	// Each key of the ConfigMap becomes a file, readable by the container's user (the
	// kubelet's default mode 0644).
	private Path writeConfigMap(Volume volume, Path target) {
		if (volume.getConfigMap().getItems() != null && !volume.getConfigMap().getItems().isEmpty()) {
			throw new AssertionError("configMap items are not stood in");
		}
		ConfigMap configMap = this.configMaps.get(volume.getConfigMap().getName());
		if (configMap == null) {
			throw new AssertionError("the chart rendered no ConfigMap " + volume.getConfigMap().getName());
		}
		try {
			Files.createDirectories(target);
			Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
			// JUnit's temporary directories are private to their owner: let the
			// container's
			// user through to its volume, up to the first directory anyone may enter.
			for (Path parent = target.getParent(); parent != null; parent = parent.getParent()) {
				Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(parent);
				if (!permissions.add(PosixFilePermission.OTHERS_EXECUTE)) {
					break;
				}
				Files.setPosixFilePermissions(parent, permissions);
			}
			for (Map.Entry<String, String> entry : configMap.getData().entrySet()) {
				Path file = target.resolve(entry.getKey());
				Files.writeString(file, entry.getValue());
				Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
			}
			return target;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private void resourceArguments(List<String> arguments) {
		Map<String, Quantity> limits = this.container.getResources().getLimits();
		if (limits == null) {
			return;
		}
		if (limits.containsKey("memory")) {
			String bytes = memoryLimitBytes().toBigInteger().toString();
			// A node runs pods without swap: the limit is the whole memory.
			arguments.addAll(List.of("--memory", bytes, "--memory-swap", bytes));
		}
		if (limits.containsKey("cpu")) {
			arguments.addAll(List.of("--cpus", limits.get("cpu").getNumericalAmount().toPlainString()));
		}
	}

	// Plain values as given; secretKeyRef entries from the test's stand-in for the
	// Secrets.
	private void environment(Map<String, Map<String, String>> secrets, Map<String, String> environment) {
		for (EnvVar variable : Objects.requireNonNullElse(this.container.getEnv(), List.<EnvVar>of())) {
			if (variable.getValueFrom() == null) {
				environment.put(variable.getName(), Objects.requireNonNullElse(variable.getValue(), ""));
				continue;
			}
			SecretKeySelector secret = variable.getValueFrom().getSecretKeyRef();
			if (secret == null) {
				throw new AssertionError("env " + variable.getName() + " comes from a source not stood in");
			}
			String value = secrets.getOrDefault(secret.getName(), Map.of()).get(secret.getKey());
			if (value == null) {
				if (Boolean.TRUE.equals(secret.getOptional())) {
					continue;
				}
				throw new AssertionError("env " + variable.getName() + " refers to Secret " + secret.getName() + " key "
						+ secret.getKey() + ", which the test does not provide");
			}
			environment.put(variable.getName(), value);
		}
	}

	private String pullPolicy() {
		String policy = Objects.requireNonNullElse(this.container.getImagePullPolicy(), "IfNotPresent");
		return switch (policy) {
			case "Always" -> "always";
			case "Never" -> "never";
			default -> "missing";
		};
	}

	private Probe probe(String kind) {
		Probe probe = switch (kind) {
			case "startup" -> this.container.getStartupProbe();
			case "readiness" -> this.container.getReadinessProbe();
			case "liveness" -> this.container.getLivenessProbe();
			default -> throw new IllegalArgumentException(kind);
		};
		return Objects.requireNonNull(probe, "no " + kind + " probe");
	}

	private PodSecurityContext podSecurity() {
		return Objects.requireNonNullElseGet(this.pod.getSecurityContext(), PodSecurityContext::new);
	}

}
