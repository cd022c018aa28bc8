package io.aoaigateway.identity;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;

/**
 * The Entra ID tokens of the configured identities, one per identity, whatever number of
 * backends use it. Only the identities some backend names are ever asked for a token.
 */
public final class BackendCredentials implements AutoCloseable {

	private final Map<String, EntraToken> tokens;

	private final Set<EntraToken> used = ConcurrentHashMap.newKeySet();

	private final Map<String, BackendCredential> backends = new ConcurrentHashMap<>();

	private final @Nullable TokenCredentialFactory factory;

	private BackendCredentials(Map<String, EntraToken> tokens) {
		this.tokens = tokens;
		this.factory = null;
	}

	/**
	 * The credentials of a pool whose backends all have keys.
	 * @return credentials without identities
	 */
	public static BackendCredentials keysOnly() {
		return new BackendCredentials(Map.of());
	}

	BackendCredentials(IdentityProperties properties, TokenCredentialFactory factory, Clock clock,
			MeterRegistry registry) {
		Map<String, EntraToken> tokens = new LinkedHashMap<>();
		properties.credentials()
			.forEach((name, config) -> tokens.put(name, new EntraToken(name, factory.create(name, config),
					config.scope(), properties.refresh(), clock, registry)));
		this.tokens = Map.copyOf(tokens);
		this.factory = factory;
	}

	/**
	 * The credential of a backend: its key, or the token of the identity it names.
	 * @param backend the backend's name
	 * @param key its {@code api-key}, or {@code null}
	 * @param credential the name of its identity in {@code aoai.identity.credentials}, or
	 * {@code null}
	 * @return the credential; a token is shared with the other backends naming the
	 * identity
	 * @throws IllegalStateException unless exactly one of key and identity is given, and
	 * the identity exists
	 */
	public BackendCredential forBackend(String backend, @Nullable BackendCredential key, @Nullable String credential) {
		if ((key == null) == (credential == null)) {
			throw new IllegalStateException("Backend '" + backend + "' needs exactly one of api-key and credential");
		}
		BackendCredential chosen = key;
		if (credential != null) {
			EntraToken token = this.tokens.get(credential);
			if (token == null) {
				throw new IllegalStateException("Backend '" + backend + "' names credential '" + credential
						+ "', which is not in aoai.identity.credentials " + this.tokens.keySet());
			}
			token.servesBackend(backend);
			this.used.add(token);
			chosen = token;
		}
		this.backends.put(backend, chosen);
		return chosen;
	}

	/**
	 * Whether some backend can be called now.
	 * @return whether a backend's credential is usable
	 */
	boolean anyUsable() {
		return this.backends.values().stream().anyMatch(BackendCredential::usable);
	}

	/** Renews each token that is due. */
	void renewDue() {
		for (EntraToken token : this.used) {
			token.renewIfDue();
		}
	}

	/** Releases the threads and connections of token requests. */
	@Override
	public void close() {
		if (this.factory != null) {
			this.factory.close();
		}
	}

	List<EntraToken> used() {
		return List.copyOf(this.used);
	}

}
