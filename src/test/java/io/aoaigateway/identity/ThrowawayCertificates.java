package io.aoaigateway.identity;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import io.aoaigateway.Commands;
import org.jspecify.annotations.Nullable;

/**
 * Key pairs with self-signed certificates, made at test time by the running JDK's
 * {@code keytool} and written as PEM: the HTTPS certificate of {@link LocalEntra} and the
 * certificates its clients authenticate with.
 */
final class ThrowawayCertificates {

	private static final Duration KEYTOOL_TIMEOUT = Duration.ofMinutes(1);

	private static final String ALIAS = "throwaway";

	private ThrowawayCertificates() {
	}

	/**
	 * Generates a key pair and a self-signed certificate valid for two days.
	 * @param directory where the throwaway key store goes
	 * @param name the certificate's common name, also the key store's file name
	 * @param keyAlgorithm {@code EC} or {@code RSA}
	 * @param subjectAlternativeNames e.g. {@code dns:localhost,ip:127.0.0.1}, or
	 * {@code null} for none
	 * @return the private key and the certificate
	 */
	static Issued generate(Path directory, String name, String keyAlgorithm, @Nullable String subjectAlternativeNames) {
		Path keyStore = directory.resolve(name + ".p12");
		// Read back at once and never shown: the password only guards a file in a
		// temporary directory.
		char[] password = password();
		List<String> command = new ArrayList<>(List.of(keytool().toString(), "-genkeypair", "-noprompt", "-alias",
				ALIAS, "-keyalg", keyAlgorithm, "-keysize", keyAlgorithm.equals("RSA") ? "2048" : "256", "-dname",
				"CN=" + name, "-validity", "2", "-storetype", "PKCS12", "-keystore", keyStore.toString(), "-storepass",
				new String(password)));
		if (subjectAlternativeNames != null) {
			command.addAll(List.of("-ext", "SAN=" + subjectAlternativeNames));
		}
		Commands.Run run = Commands.run(Map.of(), KEYTOOL_TIMEOUT, command);
		if (run.exitCode() != 0) {
			throw new IllegalStateException("keytool could not make the certificate " + name + ": " + run.output());
		}
		try (InputStream input = Files.newInputStream(keyStore)) {
			KeyStore store = KeyStore.getInstance("PKCS12");
			store.load(input, password);
			return new Issued((PrivateKey) store.getKey(ALIAS, password),
					(X509Certificate) store.getCertificate(ALIAS));
		}
		catch (IOException | GeneralSecurityException ex) {
			throw new IllegalStateException("Cannot read the key store keytool made for " + name, ex);
		}
	}

	/**
	 * Writes a certificate as PEM, e.g. for a client's trust store.
	 * @param file the file to write
	 * @param certificate the certificate
	 * @return the file
	 */
	static Path writeCertificate(Path file, X509Certificate certificate) {
		return write(file, pem("CERTIFICATE", encoded(certificate)));
	}

	/**
	 * Writes the PKCS #8 private key followed by the certificate, the one file
	 * azure-identity's {@code ClientCertificateCredentialBuilder.pemCertificate} reads.
	 * @param file the file to write
	 * @param issued the key and certificate
	 * @return the file
	 */
	static Path writeKeyAndCertificate(Path file, Issued issued) {
		return write(file, pem("PRIVATE KEY", issued.privateKey().getEncoded())
				+ pem("CERTIFICATE", encoded(issued.certificate())));
	}

	private static String pem(String type, byte[] der) {
		return "-----BEGIN " + type + "-----\n"
				+ Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
				+ "\n-----END " + type + "-----\n";
	}

	private static byte[] encoded(X509Certificate certificate) {
		try {
			return certificate.getEncoded();
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("Cannot encode " + certificate.getSubjectX500Principal(), ex);
		}
	}

	private static Path write(Path file, String text) {
		try {
			return Files.writeString(file, text, StandardCharsets.US_ASCII);
		}
		catch (IOException ex) {
			throw new IllegalStateException("Cannot write " + file, ex);
		}
	}

	private static char[] password() {
		byte[] random = new byte[16];
		new SecureRandom().nextBytes(random);
		return HexFormat.of().formatHex(random).toCharArray();
	}

	private static Path keytool() {
		return Path.of(System.getProperty("java.home"), "bin", "keytool");
	}

	/**
	 * A private key with its self-signed certificate.
	 *
	 * @param privateKey the private key
	 * @param certificate the certificate of its public key
	 */
	record Issued(PrivateKey privateKey, X509Certificate certificate) {

		@Override
		public String toString() {
			return "Issued[privateKey=****, certificate=" + this.certificate.getSubjectX500Principal() + "]";
		}

	}

}
