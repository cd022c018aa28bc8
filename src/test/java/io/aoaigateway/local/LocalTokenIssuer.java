package io.aoaigateway.local;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import tools.jackson.databind.json.JsonMapper;

/**
 * A token issuer for the offline demo and the tests: publishes an OpenID configuration
 * and a JWKS, and mints RS256 access tokens shaped like Entra ID's for whoever asks.
 */
public final class LocalTokenIssuer implements AutoCloseable {

	/** Audience of minted tokens unless a caller chooses another. */
	public static final String AUDIENCE = "api://aoai-gateway";

	/** Tenant of minted tokens unless a caller chooses another. */
	public static final String TENANT = "00000000-0000-0000-0000-00000000aaaa";

	private static final JsonMapper JSON = JsonMapper.shared();

	private static final Duration LIFETIME = Duration.ofHours(1);

	private final RSAKey key;

	private final Clock clock;

	private final DisposableServer server;

	private final String issuer;

	private LocalTokenIssuer(String host, int port, Clock clock) {
		this.key = generateKey();
		this.clock = clock;
		this.server = HttpServer.create()
			.host(host)
			.port(port)
			.route((routes) -> routes.get("/.well-known/openid-configuration", this::configuration)
				.get("/keys", this::keys)
				.get("/token", this::tokenAsText)
				.post("/token", this::tokenAsJson))
			.bindNow();
		this.issuer = "http://" + host + ":" + this.server.port();
	}

	/**
	 * Runs an issuer on its own, e.g. for the benchmark: {@code --port=8180}.
	 * @param args {@code --port=N}
	 * @throws InterruptedException when interrupted while serving
	 */
	public static void main(String[] args) throws InterruptedException {
		int port = 8180;
		for (String arg : args) {
			if (arg.startsWith("--port=")) {
				port = Integer.parseInt(arg.substring("--port=".length()));
			}
		}
		LocalTokenIssuer issuer = start(port, Clock.systemUTC());
		issuer.server.onDispose().block();
	}

	/**
	 * Starts an issuer on the loopback interface.
	 * @param port the port, 0 for any free one
	 * @param clock the clock for {@code iat}, {@code nbf} and {@code exp}
	 * @return the running issuer
	 */
	public static LocalTokenIssuer start(int port, Clock clock) {
		return new LocalTokenIssuer("127.0.0.1", port, clock);
	}

	/**
	 * @return the issuer identifier, also the {@code iss} of minted tokens
	 */
	public String issuer() {
		return this.issuer;
	}

	/**
	 * @return where the public signing keys are published
	 */
	public URI jwkSetUri() {
		return URI.create(this.issuer + "/keys");
	}

	/**
	 * Mints a token for a user with the default claims.
	 * @param subject the user
	 * @return the signed token
	 */
	public String mint(String subject) {
		return mint(subject, (claims) -> {
		});
	}

	/**
	 * Mints a token for a user, with the default claims changed by a customizer.
	 * @param subject the user
	 * @param customizer changes to the claims, e.g. an expiry in the past
	 * @return the signed token
	 */
	public String mint(String subject, Consumer<JWTClaimsSet.Builder> customizer) {
		Instant now = this.clock.instant();
		JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().issuer(this.issuer)
			.audience(AUDIENCE)
			.subject(subject)
			.claim("oid", UUID.nameUUIDFromBytes(subject.getBytes(StandardCharsets.UTF_8)).toString())
			.claim("tid", TENANT)
			.claim("azp", "local-demo-app")
			.claim("name", subject)
			.claim("ver", "2.0")
			.issueTime(Date.from(now))
			.notBeforeTime(Date.from(now))
			.expirationTime(Date.from(now.plus(LIFETIME)));
		customizer.accept(claims);
		return sign(claims.build());
	}

	private String sign(JWTClaimsSet claims) {
		JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(this.key.getKeyID())
			.type(JOSEObjectType.JWT)
			.build();
		SignedJWT jwt = new SignedJWT(header, claims);
		try {
			jwt.sign(new RSASSASigner(this.key));
		}
		catch (JOSEException ex) {
			throw new IllegalStateException("Could not sign a local token", ex);
		}
		return jwt.serialize();
	}

	private Mono<Void> configuration(HttpServerRequest request, HttpServerResponse response) {
		Map<String, Object> configuration = new LinkedHashMap<>();
		configuration.put("issuer", this.issuer);
		configuration.put("jwks_uri", this.issuer + "/keys");
		configuration.put("token_endpoint", this.issuer + "/token");
		configuration.put("id_token_signing_alg_values_supported", List.of("RS256"));
		return json(response, configuration);
	}

	private Mono<Void> keys(HttpServerRequest request, HttpServerResponse response) {
		return json(response, new JWKSet(this.key.toPublicJWK()).toJSONObject());
	}

	// GET /token?sub=alice&roles=a,b: the bare token, handy in a shell.
	private Mono<Void> tokenAsText(HttpServerRequest request, HttpServerResponse response) {
		Map<String, String> query = parameters(URI.create(request.uri()).getRawQuery());
		String token = mint(query.getOrDefault("sub", "local-user"), customizer(query));
		return response.header("Content-Type", "text/plain").sendString(Mono.just(token)).then();
	}

	// POST /token (form): an OAuth2 token response, for clients that speak client
	// credentials.
	private Mono<Void> tokenAsJson(HttpServerRequest request, HttpServerResponse response) {
		return request.receive().aggregate().asString(StandardCharsets.UTF_8).defaultIfEmpty("").flatMap((form) -> {
			Map<String, String> parameters = parameters(form);
			String subject = parameters.getOrDefault("sub", parameters.getOrDefault("client_id", "local-user"));
			Map<String, Object> body = new LinkedHashMap<>();
			body.put("access_token", mint(subject, customizer(parameters)));
			body.put("token_type", "Bearer");
			body.put("expires_in", LIFETIME.toSeconds());
			return json(response, body);
		});
	}

	private static Consumer<JWTClaimsSet.Builder> customizer(Map<String, String> parameters) {
		return (claims) -> {
			if (parameters.containsKey("roles")) {
				claims.claim("roles", Arrays.asList(parameters.get("roles").split(",")));
			}
			if (parameters.containsKey("groups")) {
				claims.claim("groups", Arrays.asList(parameters.get("groups").split(",")));
			}
			if (parameters.containsKey("client_id")) {
				claims.claim("azp", parameters.get("client_id"));
			}
		};
	}

	private static Map<String, String> parameters(String encoded) {
		Map<String, String> parameters = new LinkedHashMap<>();
		if (encoded == null || encoded.isEmpty()) {
			return parameters;
		}
		for (String pair : encoded.split("&")) {
			int equals = pair.indexOf('=');
			String name = (equals < 0) ? pair : pair.substring(0, equals);
			String value = (equals < 0) ? "" : pair.substring(equals + 1);
			parameters.put(URLDecoder.decode(name, StandardCharsets.UTF_8),
					URLDecoder.decode(value, StandardCharsets.UTF_8));
		}
		return parameters;
	}

	private static Mono<Void> json(HttpServerResponse response, Object body) {
		return response.header("Content-Type", "application/json")
			.sendString(Mono.just(JSON.writeValueAsString(body)))
			.then();
	}

	private static RSAKey generateKey() {
		try {
			return new RSAKeyGenerator(2048).keyID(UUID.randomUUID().toString()).generate();
		}
		catch (JOSEException ex) {
			throw new IllegalStateException("Could not generate the local signing key", ex);
		}
	}

	@Override
	public void close() {
		this.server.disposeNow();
	}

}
