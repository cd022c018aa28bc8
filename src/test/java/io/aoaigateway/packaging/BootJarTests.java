package io.aoaigateway.packaging;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import io.aoaigateway.Commands;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What ships is the gateway: the repackaged boot jar (built by the package phase, read by
 * failsafe after it) holds no simulator, no local token issuer and no offline-demo
 * configuration, neither among its own classes nor inside any library it carries.
 */
class BootJarTests {

	private static final List<String> FORBIDDEN = List.of("io/aoaigateway/simulator/", "io/aoaigateway/local/",
			"io/aoaigateway/TestAoaiGatewayApplication", "application-local.yaml", "io/aoaigateway/identity/LocalEntra",
			"io/aoaigateway/identity/ThrowawayCertificates");

	private static Path jar;

	@BeforeAll
	static void locateJar() {
		String location = System.getProperty("aoai.boot-jar");
		assertThat(location).as("aoai.boot-jar (set by the failsafe configuration in pom.xml)").isNotBlank();
		jar = Path.of(location);
		assertThat(jar).as("the boot jar built by the package phase").isRegularFile();
	}

	@Test
	void bootJarWhenPackagedThenStartsTheGatewayItself() throws IOException {
		try (JarFile file = new JarFile(jar.toFile())) {
			Manifest manifest = file.getManifest();

			assertThat(manifest.getMainAttributes().getValue("Start-Class"))
				.isEqualTo("io.aoaigateway.AoaiGatewayApplication");
			assertThat(file.getEntry("BOOT-INF/classes/io/aoaigateway/AoaiGatewayApplication.class")).isNotNull();
			assertThat(file.getEntry("BOOT-INF/classes/application.yaml")).isNotNull();
		}
	}

	@Test
	void bootJarWhenRunAsCallerKeyCommandThenPrintsAKeyAndItsRecordWithoutStartingTheGateway() {
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();

		Commands.Run run = Commands.run(Map.of(), Duration.ofSeconds(60), List.of(java, "-jar", jar.toString(),
				"caller-key", "create", "--app", "billing", "--name", "invoice-run", "--owner", "billing@example.com"));

		assertThat(run.exitCode()).as(run.output()).isZero();
		List<String> lines = run.output().lines().toList();
		assertThat(lines.get(0)).matches("aoai_[a-z0-9]{10}_[A-Za-z0-9_-]{43}");
		assertThat(run.output()).contains("app: billing", "hash: ", "salt: ").doesNotContain("Started");
	}

	@Test
	void bootJarWhenPackagedThenHoldsNoSimulatorNoIssuerAndNoDemoConfiguration() throws IOException {
		List<String> found = new ArrayList<>();
		int libraries = 0;
		try (ZipInputStream entries = new ZipInputStream(Files.newInputStream(jar))) {
			for (ZipEntry entry = entries.getNextEntry(); entry != null; entry = entries.getNextEntry()) {
				collectForbidden(entry.getName(), "", found);
				if (entry.getName().startsWith("BOOT-INF/lib/") && entry.getName().endsWith(".jar")) {
					libraries++;
					collectForbiddenInLibrary(entries, entry.getName(), found);
				}
			}
		}

		assertThat(libraries).as("libraries searched").isGreaterThan(10);
		assertThat(found).as("simulator, issuer or demo entries in %s", jar).isEmpty();
	}

	private static void collectForbiddenInLibrary(InputStream library, String name, List<String> found)
			throws IOException {
		// Not closed: closing would close the outer stream too.
		ZipInputStream nested = new ZipInputStream(library);
		for (ZipEntry entry = nested.getNextEntry(); entry != null; entry = nested.getNextEntry()) {
			collectForbidden(entry.getName(), name + "!/", found);
		}
	}

	private static void collectForbidden(String entry, String prefix, List<String> found) {
		String path = entry.startsWith("BOOT-INF/classes/") ? entry.substring("BOOT-INF/classes/".length()) : entry;
		for (String forbidden : FORBIDDEN) {
			if (path.startsWith(forbidden) || path.endsWith("/" + forbidden)) {
				found.add(prefix + entry);
			}
		}
		if (path.endsWith(".class") && path.contains("TokenIssuer")) {
			found.add(prefix + entry);
		}
	}

}
