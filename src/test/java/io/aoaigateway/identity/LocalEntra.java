package io.aoaigateway.identity;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Comparator;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Stream;

import javax.net.ssl.SSLException;

import com.azure.core.http.HttpClient;
import com.azure.core.http.netty.NettyAsyncHttpClientBuilder;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import tools.jackson.databind.json.JsonMapper;

/**
 * A local Microsoft Entra ID for tests: azure-identity's real credentials get tokens for
 * Azure OpenAI from it offline, through the token endpoint's client credentials grant
 * (client secret, client certificate, federated assertion) over HTTPS, and through the
 * App Service and IMDS managed identity protocols over plain HTTP.
 * <p>
 * Tests point a credential at {@link #authorityHost()} with instance discovery disabled
 * and an HTTP client that trusts {@link #certificatePem()}; a managed identity finds it
 * through the environment of {@link #appServiceEnvironment()} or
 * {@link #imdsEnvironment()}, which MSAL reads from the process environment only (see
 * {@link ChildJvm}).
 *
 * @see <a href=
 * "https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow">Client
 * credentials flow</a>
 * @see <a href=
 * "https://learn.microsoft.com/azure/app-service/overview-managed-identity#rest-endpoint-reference">App
 * Service managed identity REST endpoint</a>
 * @see <a href=
 * "https://learn.microsoft.com/entra/identity/managed-identities-azure-resources/how-to-use-vm-token">IMDS
 * token endpoint</a>
 */
public final class LocalEntra implements AutoCloseable {

	/** The tenant of {@link #start()}. */
	public static final String TENANT = "00000000-0000-0000-0000-00000000e1d0";

	/** The scope a credential asks for to call Azure OpenAI. */
	public static final String SCOPE = "https://cognitiveservices.azure.com/.default";

	/** The resource of {@link #SCOPE}: the audience of every token. */
	public static final String RESOURCE = "https://cognitiveservices.azure.com";

	/** The client id of the system-assigned managed identity, which always exists. */
	public static final String SYSTEM_ASSIGNED_CLIENT_ID = "00000000-0000-0000-0000-0000005a0001";

	private static final String TOKEN_PATH = "/oauth2/v2.0/token";

	private static final String APP_SERVICE_PATH = "/msi/token";

	private static final String IMDS_PATH = "/metadata/identity/oauth2/token";

	private static final String JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

	private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

	// Entra lets a client assertion's clock be this far off.
	private static final Duration ASSERTION_SKEW = Duration.ofMinutes(5);

	private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'")
		.withZone(ZoneOffset.UTC);

	private static final JsonMapper JSON = JsonMapper.shared();

	private final String tenantId;

	private final Clock clock;

	private final Path directory;

	private final ThrowawayCertificates.Issued serverCertificate;

	private final Path certificatePem;

	private final SslContext sslContext;

	private final String identityHeader = randomText();

	private final Map<String, String> secrets = new ConcurrentHashMap<>();

	private final Map<String, String> federated = new ConcurrentHashMap<>();

	private final Map<String, X509Certificate> certificates = new ConcurrentHashMap<>();

	private final Set<String> managedIdentities = ConcurrentHashMap.newKeySet();

	private final List<TokenRequest> requests = new CopyOnWriteArrayList<>();

	private final AtomicReference<RSAKey> signingKey = new AtomicReference<>(newSigningKey());

	private final AtomicReference<Failures> failures = new AtomicReference<>(new Failures(0, 500));

	private final Set<Connection> hung = ConcurrentHashMap.newKeySet();

	// Every connection closes with stop(): a hung one would otherwise keep its client
	// waiting after the endpoint went down.
	private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);

	private volatile Duration tokenLifetime = Duration.ofHours(1);

	private volatile boolean hanging;

	private int tokenPort;

	private int identityPort;

	private @Nullable DisposableServer tokenServer;

	private @Nullable DisposableServer identityServer;

	private LocalEntra(String tenantId, Clock clock) {
		this.tenantId = tenantId;
		this.clock = clock;
		try {
			this.directory = Files.createTempDirectory("local-entra-");
		}
		catch (IOException ex) {
			throw new IllegalStateException("Cannot create a directory for LocalEntra's certificates", ex);
		}
		this.serverCertificate = ThrowawayCertificates.generate(this.directory, "localhost", "EC",
				"dns:localhost,ip:127.0.0.1");
		this.certificatePem = ThrowawayCertificates.writeCertificate(this.directory.resolve("localhost.pem"),
				this.serverCertificate.certificate());
		try {
			this.sslContext = SslContextBuilder
				.forServer(this.serverCertificate.privateKey(), this.serverCertificate.certificate())
				.build();
		}
		catch (SSLException ex) {
			throw new IllegalStateException("Cannot make LocalEntra's TLS context", ex);
		}
		bind(0, 0);
	}

	/**
	 * Starts a local Entra ID for {@link #TENANT} on the system clock.
	 * @return the running endpoints
	 */
	public static LocalEntra start() {
		return start(TENANT, Clock.systemUTC());
	}

	/**
	 * Starts a local Entra ID.
	 * @param tenantId the only tenant it knows
	 * @param clock the clock of issued tokens ({@code iat}, {@code nbf}, {@code exp},
	 * {@code expires_on}) and of {@link #isValid(String)}
	 * @return the running endpoints
	 */
	public static LocalEntra start(String tenantId, Clock clock) {
		return new LocalEntra(tenantId, clock);
	}

	/**
	 * @return the tenant it knows
	 */
	public String tenantId() {
		return this.tenantId;
	}

	/**
	 * @return {@code https://localhost:PORT/}, a credential builder's
	 * {@code authorityHost}
	 */
	public URI authorityHost() {
		return URI.create("https://localhost:" + this.tokenPort + "/");
	}

	/**
	 * @return {@code https://localhost:PORT/TENANT/oauth2/v2.0/token}
	 */
	public URI tokenEndpoint() {
		return URI.create("https://localhost:" + this.tokenPort + "/" + this.tenantId + TOKEN_PATH);
	}

	/**
	 * @return the HTTPS certificate (PEM), for a client's trust store or a Spring SSL
	 * bundle ({@code spring.ssl.bundle.pem.NAME.truststore.certificate=file:...})
	 */
	public Path certificatePem() {
		return this.certificatePem;
	}

	/**
	 * An azure-core HTTP client that trusts {@link #certificatePem()}, for a credential
	 * builder's {@code httpClient}.
	 * @param responseTimeout how long it waits for an answer
	 * @return the client
	 */
	public HttpClient httpClient(Duration responseTimeout) {
		try {
			SslContext trusting = SslContextBuilder.forClient().trustManager(this.certificatePem.toFile()).build();
			return new NettyAsyncHttpClientBuilder(
					reactor.netty.http.client.HttpClient.create().secure((spec) -> spec.sslContext(trusting)))
				.responseTimeout(responseTimeout)
				.build();
		}
		catch (SSLException ex) {
			throw new IllegalStateException("Cannot make a client trusting LocalEntra's certificate", ex);
		}
	}

	/**
	 * @return the App Service managed identity endpoint, {@code IDENTITY_ENDPOINT}
	 */
	public URI identityEndpoint() {
		return URI.create("http://127.0.0.1:" + this.identityPort + APP_SERVICE_PATH);
	}

	/**
	 * @return the secret the App Service endpoint expects in {@code X-IDENTITY-HEADER},
	 * {@code IDENTITY_HEADER}
	 */
	public String identityHeader() {
		return this.identityHeader;
	}

	/**
	 * @return the IMDS host, {@code http://127.0.0.1:PORT}, what AKS pod identity sets in
	 * {@code AZURE_POD_IDENTITY_AUTHORITY_HOST}
	 */
	public URI imdsHost() {
		return URI.create("http://127.0.0.1:" + this.identityPort);
	}

	/**
	 * @return the environment that makes a managed identity credential use the App
	 * Service protocol against this endpoint
	 */
	public Map<String, String> appServiceEnvironment() {
		return Map.of("IDENTITY_ENDPOINT", identityEndpoint().toString(), "IDENTITY_HEADER", this.identityHeader);
	}

	/**
	 * @return the environment that makes a managed identity credential use IMDS at this
	 * endpoint
	 */
	public Map<String, String> imdsEnvironment() {
		return Map.of("AZURE_POD_IDENTITY_AUTHORITY_HOST", imdsHost().toString());
	}

	/**
	 * Registers an application that authenticates with a client secret.
	 * @param clientId its client (application) id
	 * @param secret its secret
	 */
	public void registerClientSecret(String clientId, String secret) {
		this.secrets.put(clientId, secret);
	}

	/**
	 * Registers an application with a federated credential: the assertion it presents,
	 * e.g. the projected service account token of an AKS workload.
	 * @param clientId its client (application) id
	 * @param assertion the only assertion accepted
	 */
	public void registerFederated(String clientId, String assertion) {
		this.federated.put(clientId, assertion);
	}

	/**
	 * Registers a user-assigned managed identity; the system-assigned one,
	 * {@link #SYSTEM_ASSIGNED_CLIENT_ID}, always exists.
	 * @param clientId its client id
	 */
	public void registerManagedIdentity(String clientId) {
		this.managedIdentities.add(clientId);
	}

	/**
	 * Makes an RSA key and a self-signed certificate, registers the certificate for an
	 * application and writes both to a PEM file that
	 * {@code ClientCertificateCredentialBuilder.pemCertificate(path)} reads.
	 * @param clientId its client (application) id
	 * @return the PEM file with the private key and the certificate
	 */
	public Path newClientCertificate(String clientId) {
		String name = "client-" + UUID.randomUUID();
		ThrowawayCertificates.Issued issued = ThrowawayCertificates.generate(this.directory, name, "RSA", null);
		this.certificates.put(clientId, issued.certificate());
		return ThrowawayCertificates.writeKeyAndCertificate(this.directory.resolve(name + ".pem"), issued);
	}

	/**
	 * Sets the lifetime of the tokens issued from now on; one hour at first.
	 * @param lifetime the lifetime
	 */
	public void tokenLifetime(Duration lifetime) {
		if (lifetime.isNegative() || lifetime.isZero()) {
			throw new IllegalArgumentException("lifetime must be positive, was " + lifetime);
		}
		this.tokenLifetime = lifetime;
	}

	/**
	 * Answers the next token requests, of any kind, with an error instead of a token.
	 * @param count how many requests fail
	 * @param status their status, e.g. 500 or 503
	 */
	public void failNext(int count, int status) {
		if (count < 0 || status < 400 || status > 599) {
			throw new IllegalArgumentException("Cannot fail " + count + " requests with " + status);
		}
		this.failures.set(new Failures(count, status));
	}

	/**
	 * Makes token requests hang: their connections are accepted and read, but never
	 * answered.
	 */
	public void hang() {
		this.hanging = true;
	}

	/**
	 * Answers token requests again, and drops the connections of those left hanging.
	 */
	public void unhang() {
		this.hanging = false;
		this.hung.forEach(Connection::dispose);
		this.hung.clear();
	}

	/**
	 * Closes both listeners and every connection: a client's next request is refused.
	 */
	public synchronized void stop() {
		this.connections.close().awaitUninterruptibly(CLOSE_WAIT.toMillis());
		this.hung.clear();
		if (this.tokenServer != null) {
			this.tokenServer.disposeNow(CLOSE_WAIT);
			this.tokenServer = null;
		}
		if (this.identityServer != null) {
			this.identityServer.disposeNow(CLOSE_WAIT);
			this.identityServer = null;
		}
	}

	/**
	 * Listens again on the ports it had, after {@link #stop()}.
	 */
	public synchronized void restart() {
		if (this.tokenServer != null) {
			throw new IllegalStateException("LocalEntra is running");
		}
		bind(this.tokenPort, this.identityPort);
	}

	/**
	 * @return the token requests received, of every kind and outcome, in arrival order
	 */
	public List<TokenRequest> requests() {
		return List.copyOf(this.requests);
	}

	/**
	 * @return how many token requests were received, of every kind and outcome
	 */
	public int tokenRequests() {
		return this.requests.size();
	}

	public void clearRequests() {
		this.requests.clear();
	}

	/**
	 * Whether a bearer token is one this Entra issued, not expired by its clock and not
	 * revoked.
	 * @param bearer the token, without {@code Bearer }
	 * @return whether it is valid
	 */
	public boolean isValid(String bearer) {
		return validClaims(bearer) != null;
	}

	/**
	 * The client a valid token was issued to.
	 * @param bearer the token, without {@code Bearer }
	 * @return its {@code appid}, or empty when the token is not valid
	 */
	public Optional<String> clientIdOf(String bearer) {
		JWTClaimsSet claims = validClaims(bearer);
		return Optional.ofNullable((claims != null) ? (String) claims.getClaim("appid") : null);
	}

	/**
	 * Makes every token issued so far invalid, as if the signing keys rolled.
	 */
	public void revokeAll() {
		this.signingKey.set(newSigningKey());
	}

	@Override
	public void close() {
		stop();
		try (Stream<Path> files = Files.walk(this.directory)) {
			files.sorted(Comparator.reverseOrder()).forEach((file) -> file.toFile().delete());
		}
		catch (IOException ex) {
			// A temporary directory left behind harms no test.
		}
	}

	private void bind(int tokenPort, int identityPort) {
		this.tokenServer = HttpServer.create()
			.host("127.0.0.1")
			.port(tokenPort)
			.secure((spec) -> spec.sslContext(this.sslContext))
			.channelGroup(this.connections)
			.handle(this::token)
			.bindNow();
		this.identityServer = HttpServer.create()
			.host("127.0.0.1")
			.port(identityPort)
			.channelGroup(this.connections)
			.handle(this::managedIdentity)
			.bindNow();
		this.tokenPort = this.tokenServer.port();
		this.identityPort = this.identityServer.port();
	}

	private Publisher<Void> token(HttpServerRequest request, HttpServerResponse response) {
		String path = path(request.uri());
		if (!path.endsWith(TOKEN_PATH) || path.length() <= TOKEN_PATH.length() + 1) {
			return json(response, 404, Map.of("error", "not_found"));
		}
		String tenant = path.substring(1, path.length() - TOKEN_PATH.length());
		String correlationId = request.requestHeaders().get("client-request-id");
		return request.receive().aggregate().asString(StandardCharsets.UTF_8).defaultIfEmpty("").flatMap((form) -> {
			Map<String, String> parameters = parameters(form);
			String clientId = parameters.get("client_id");
			Call call = new Call(kind(clientId, parameters), clientId, parameters.get("scope"), correlationId);
			return respond(call, response,
					() -> request.method().name().equals("POST")
							? clientCredentials(call, tenant, "https://" + request.requestHeaders().get("host") + path,
									parameters)
							: entraError(call, 400, "invalid_request", 900561,
									"The endpoint only accepts POST, OPTIONS requests. Received a "
											+ request.method().name() + " request."));
		});
	}

	private Publisher<Void> managedIdentity(HttpServerRequest request, HttpServerResponse response) {
		String path = path(request.uri());
		int question = request.uri().indexOf('?');
		Map<String, String> query = parameters((question < 0) ? null : request.uri().substring(question + 1));
		String clientId = query.get("client_id");
		boolean appService = path.equals(APP_SERVICE_PATH);
		if (!appService && !path.equals(IMDS_PATH)) {
			return json(response, 404, Map.of("error", "not_found"));
		}
		Call call = new Call(appService ? Kind.APP_SERVICE : Kind.IMDS,
				(clientId != null) ? clientId : SYSTEM_ASSIGNED_CLIENT_ID, query.get("resource"), null);
		return request.receive()
			.then(Mono.defer(() -> respond(call, response,
					() -> appService ? appService(call, request.requestHeaders().get("X-IDENTITY-HEADER"), query)
							: imds(call, request.requestHeaders().get("Metadata"), query))));
	}

	private Mono<Void> respond(Call call, HttpServerResponse response, Supplier<Answer> answer) {
		if (this.hanging) {
			record(call, 0, null);
			response.withConnection((connection) -> {
				this.hung.add(connection);
				connection.onDispose(() -> this.hung.remove(connection));
			});
			return Mono.never();
		}
		Failures failed = this.failures.getAndUpdate(Failures::next);
		Answer chosen = (failed.count() > 0) ? failure(call, failed.status()) : answer.get();
		record(call, chosen.status(), chosen.tokenId());
		return json(response, chosen.status(), chosen.body());
	}

	private void record(Call call, int status, @Nullable String tokenId) {
		this.requests
			.add(new TokenRequest(call.kind(), call.clientId(), call.scope(), this.clock.instant(), status, tokenId));
	}

	private Answer clientCredentials(Call call, String tenant, String endpoint, Map<String, String> parameters) {
		if (!tenant.equals(this.tenantId)) {
			return entraError(call, 400, "invalid_tenant", 90002, "Tenant '" + tenant + "' not found. Check to make "
					+ "sure you have the correct tenant ID and are signing into the correct cloud. Check with your "
					+ "subscription administrator, this may happen if there are no active subscriptions for the tenant.");
		}
		String grantType = parameters.get("grant_type");
		if (!"client_credentials".equals(grantType)) {
			return entraError(call, 400, "unsupported_grant_type", 70003,
					"The app requested an unsupported grant type '" + grantType + "'.");
		}
		String clientId = call.clientId();
		if (clientId == null || clientId.isEmpty()) {
			return entraError(call, 400, "invalid_request", 900144,
					"The request body must contain the following parameter: 'client_id'.");
		}
		if (!this.secrets.containsKey(clientId) && !this.federated.containsKey(clientId)
				&& !this.certificates.containsKey(clientId)) {
			return entraError(call, 400, "unauthorized_client", 700016, "Application with identifier '" + clientId
					+ "' was not found in the directory '" + this.tenantId + "'. This can happen if the application "
					+ "has not been installed by the administrator of the tenant or consented to by any user in the "
					+ "tenant. You may have sent your authentication request to the wrong tenant.");
		}
		Answer refused = authenticate(call, clientId, endpoint, parameters);
		if (refused != null) {
			return refused;
		}
		Answer wrongScope = checkScope(call, parameters.get("scope"));
		if (wrongScope != null) {
			return wrongScope;
		}
		Token token = issue(clientId, (call.kind() == Kind.CLIENT_SECRET) ? "1" : "2");
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("token_type", "Bearer");
		body.put("expires_in", token.lifetime().toSeconds());
		body.put("ext_expires_in", token.lifetime().toSeconds());
		// Entra asks a client to refresh a long-lived token at half its life.
		if (token.lifetime().compareTo(Duration.ofHours(2)) >= 0) {
			body.put("refresh_in", token.lifetime().toSeconds() / 2);
		}
		body.put("access_token", token.value());
		return new Answer(200, body, token.id());
	}

	private @Nullable Answer authenticate(Call call, String clientId, String endpoint, Map<String, String> parameters) {
		String secret = parameters.get("client_secret");
		String assertion = parameters.get("client_assertion");
		if (secret != null) {
			return sameText(secret, this.secrets.get(clientId)) ? null
					: entraError(call, 401, "invalid_client", 7000215,
							"Invalid client secret provided. Ensure the secret being sent in the request is the "
									+ "client secret value, not the client secret ID, for a secret added to app '"
									+ clientId + "'.");
		}
		if (assertion == null) {
			return entraError(call, 401, "invalid_client", 7000218,
					"The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
		}
		if (!JWT_BEARER.equals(parameters.get("client_assertion_type"))) {
			return entraError(call, 400, "invalid_request", 70002,
					"The request body must contain the parameter 'client_assertion_type' with the value '" + JWT_BEARER
							+ "'.");
		}
		if (call.kind() == Kind.FEDERATED) {
			return sameText(assertion, this.federated.get(clientId)) ? null
					: entraError(call, 401, "invalid_client", 700213,
							"No matching federated identity record found for presented assertion subject. Please "
									+ "check your federated identity credential Subject, Audience and Issuer against "
									+ "the presented assertion.");
		}
		return checkCertificateAssertion(call, clientId, endpoint, assertion);
	}

	// MSAL signs RS256 (PS256 in later versions) and names the certificate by its SHA-256
	// thumbprint (x5t#S256), or its SHA-1 one (x5t) for ADFS, in standard Base64 where
	// RFC 7515 says base64url: both are accepted.
	private @Nullable Answer checkCertificateAssertion(Call call, String clientId, String endpoint, String assertion) {
		X509Certificate certificate = this.certificates.get(clientId);
		SignedJWT jwt;
		JWTClaimsSet claims;
		try {
			jwt = SignedJWT.parse(assertion);
			claims = jwt.getJWTClaimsSet();
		}
		catch (ParseException ex) {
			return entraError(call, 401, "invalid_client", 50027, "JWT token is invalid or malformed.");
		}
		Map<String, Object> header = jwt.getHeader().toJSONObject();
		boolean knownKey = certificate != null
				&& (thumbprints(certificate, "SHA-256").contains(String.valueOf(header.get("x5t#S256")))
						|| thumbprints(certificate, "SHA-1").contains(String.valueOf(header.get("x5t"))));
		if (!knownKey || !verifies(jwt, certificate)) {
			return entraError(call, 401, "invalid_client", 700027,
					"Client assertion failed signature validation. The key was not found or the signature is invalid.");
		}
		if (!clientId.equals(claims.getIssuer()) || !clientId.equals(claims.getSubject())) {
			return entraError(call, 401, "invalid_client", 700021,
					"Client assertion application identifier doesn't match 'client_id' parameter.");
		}
		if (claims.getAudience().stream().noneMatch(endpoint::equalsIgnoreCase)) {
			return entraError(call, 401, "invalid_client", 700212,
					"No matching federated identity record found for presented assertion audience '"
							+ claims.getAudience() + "'.");
		}
		// Checked against real time: MSAL dates the assertion by the system clock,
		// whatever
		// clock the tokens follow.
		Instant now = Instant.now();
		Date expiry = claims.getExpirationTime();
		Date notBefore = claims.getNotBeforeTime();
		if (expiry == null || expiry.toInstant().plus(ASSERTION_SKEW).isBefore(now)
				|| (notBefore != null && notBefore.toInstant().minus(ASSERTION_SKEW).isAfter(now))) {
			return entraError(call, 401, "invalid_client", 700024,
					"Client assertion is not within its valid time range.");
		}
		return null;
	}

	private @Nullable Answer checkScope(Call call, @Nullable String scope) {
		List<String> scopes = (scope != null) ? List.of(scope.trim().split("\\s+")) : List.of();
		if (scopes.contains(SCOPE)) {
			return null;
		}
		String resource = scopes.stream()
			.filter((candidate) -> candidate.endsWith("/.default"))
			.findFirst()
			.map((candidate) -> candidate.substring(0, candidate.length() - "/.default".length()))
			.orElse(null);
		if (resource == null) {
			return entraError(call, 400, "invalid_scope", 1002012, "The provided value for scope " + scope
					+ " is not valid. Client credential flows must have a scope value with /.default suffixed to "
					+ "the resource identifier (application ID URI).");
		}
		return entraError(call, 400, "invalid_resource", 500011, "The resource principal named " + resource
				+ " was not found in the tenant named " + this.tenantId + ". This can happen if the application has "
				+ "not been installed by the administrator of the tenant or consented to by any user in the tenant. "
				+ "You might have sent your authentication request to the wrong tenant.");
	}

	// App Service, api-version 2019-08-01: the secret header, then a token with an
	// absolute expires_on in epoch seconds.
	private Answer appService(Call call, @Nullable String header, Map<String, String> query) {
		if (header == null || !sameText(header, this.identityHeader)) {
			return new Answer(401, Map.of("statusCode", 401, "message",
					"Unauthorized. The X-IDENTITY-HEADER header is missing or wrong."), null);
		}
		if (!"2019-08-01".equals(query.get("api-version"))) {
			return new Answer(400,
					Map.of("statusCode", 400, "message", "Unsupported api-version " + query.get("api-version") + "."),
					null);
		}
		String refused = checkManagedIdentity(call, query);
		if (refused != null) {
			return new Answer(400, Map.of("statusCode", 400, "message", refused), null);
		}
		Token token = issue(Objects.requireNonNull(call.clientId()), "2");
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("access_token", token.value());
		body.put("expires_on", String.valueOf(token.expiresOn().getEpochSecond()));
		body.put("resource", RESOURCE);
		body.put("token_type", "Bearer");
		body.put("client_id", call.clientId());
		return new Answer(200, body, token.id());
	}

	// IMDS, api-version 2018-02-01: the Metadata header, then every number as a string.
	private Answer imds(Call call, @Nullable String metadata, Map<String, String> query) {
		if (!"true".equalsIgnoreCase(metadata)) {
			return new Answer(400,
					Map.of("error", "invalid_request", "error_description", "Required metadata header not specified"),
					null);
		}
		if (query.get("api-version") == null) {
			return new Answer(400, Map.of("error", "invalid_request", "error_description",
					"Required query variable 'api-version' is missing"), null);
		}
		String refused = checkManagedIdentity(call, query);
		if (refused != null) {
			return new Answer(400, Map.of("error", "invalid_request", "error_description", refused), null);
		}
		Token token = issue(Objects.requireNonNull(call.clientId()), "2");
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("access_token", token.value());
		body.put("client_id", call.clientId());
		body.put("expires_in", String.valueOf(token.lifetime().toSeconds()));
		body.put("expires_on", String.valueOf(token.expiresOn().getEpochSecond()));
		body.put("ext_expires_in", String.valueOf(token.lifetime().toSeconds()));
		body.put("not_before", String.valueOf(token.expiresOn().minus(token.lifetime()).getEpochSecond()));
		body.put("resource", RESOURCE);
		body.put("token_type", "Bearer");
		return new Answer(200, body, token.id());
	}

	private @Nullable String checkManagedIdentity(Call call, Map<String, String> query) {
		String resource = query.get("resource");
		if (!RESOURCE.equals(resource) && !(RESOURCE + "/").equals(resource)) {
			return "AADSTS500011: The resource principal named " + resource + " was not found in the tenant named "
					+ this.tenantId + ".";
		}
		boolean otherId = query.containsKey("mi_res_id") || query.containsKey("msi_res_id")
				|| query.containsKey("object_id") || query.containsKey("principal_id");
		if (otherId || !(SYSTEM_ASSIGNED_CLIENT_ID.equals(call.clientId())
				|| this.managedIdentities.contains(call.clientId()))) {
			return "Identity not found";
		}
		return null;
	}

	private Token issue(String clientId, String authenticationMethod) {
		Instant now = this.clock.instant();
		Duration lifetime = this.tokenLifetime;
		String tokenId = randomText();
		String issuer = "https://sts.windows.net/" + this.tenantId + "/";
		String objectId = UUID.nameUUIDFromBytes((this.tenantId + "/" + clientId).getBytes(StandardCharsets.UTF_8))
			.toString();
		JWTClaimsSet claims = new JWTClaimsSet.Builder().audience(RESOURCE)
			.issuer(issuer)
			.issueTime(Date.from(now))
			.notBeforeTime(Date.from(now))
			.expirationTime(Date.from(now.plus(lifetime)))
			.claim("appid", clientId)
			.claim("appidacr", authenticationMethod)
			.claim("idp", issuer)
			.claim("idtyp", "app")
			.claim("oid", objectId)
			.subject(objectId)
			.claim("tid", this.tenantId)
			.claim("uti", tokenId)
			.claim("ver", "1.0")
			.build();
		RSAKey key = this.signingKey.get();
		SignedJWT jwt = new SignedJWT(
				new JWSHeader.Builder(JWSAlgorithm.RS256).type(JOSEObjectType.JWT).keyID(key.getKeyID()).build(),
				claims);
		try {
			jwt.sign(new RSASSASigner(key));
		}
		catch (JOSEException ex) {
			throw new IllegalStateException("Could not sign a token", ex);
		}
		// The serialized exp has whole seconds; expires_on must agree with it.
		Instant expiresOn = Instant.ofEpochSecond(now.plus(lifetime).getEpochSecond());
		return new Token(jwt.serialize(), tokenId, lifetime, expiresOn);
	}

	private @Nullable JWTClaimsSet validClaims(String bearer) {
		try {
			SignedJWT jwt = SignedJWT.parse(bearer);
			if (!jwt.verify(new RSASSAVerifier(this.signingKey.get().toRSAPublicKey()))) {
				return null;
			}
			JWTClaimsSet claims = jwt.getJWTClaimsSet();
			Instant now = this.clock.instant();
			boolean current = claims.getExpirationTime() != null && now.isBefore(claims.getExpirationTime().toInstant())
					&& (claims.getNotBeforeTime() == null || !now.isBefore(claims.getNotBeforeTime().toInstant()));
			boolean ours = ("https://sts.windows.net/" + this.tenantId + "/").equals(claims.getIssuer())
					&& claims.getAudience().contains(RESOURCE);
			return (current && ours) ? claims : null;
		}
		catch (ParseException | JOSEException ex) {
			return null;
		}
	}

	private Answer failure(Call call, int status) {
		if (status == 429) {
			return entraError(call, status, "temporarily_unavailable", 50196,
					"The server terminated an operation because it encountered a client request loop.");
		}
		if (status >= 500) {
			return entraError(call, status, (status == 503) ? "temporarily_unavailable" : "server_error", 50000,
					"There was an error issuing a token or an issue with our sign-in service.");
		}
		return entraError(call, status, "invalid_request", 90014, "The request could not be processed.");
	}

	// Entra's error shape: the AADSTS code leads the description, which ends with the
	// trace, the caller's correlation id and the time.
	private Answer entraError(Call call, int status, String error, long code, String description) {
		String traceId = UUID.randomUUID().toString();
		String correlationId = (call.correlationId() != null) ? call.correlationId() : UUID.randomUUID().toString();
		String timestamp = TIMESTAMP.format(this.clock.instant());
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("error", error);
		body.put("error_description", "AADSTS" + code + ": " + description + "\r\nTrace ID: " + traceId
				+ "\r\nCorrelation ID: " + correlationId + "\r\nTimestamp: " + timestamp);
		body.put("error_codes", List.of(code));
		body.put("timestamp", timestamp);
		body.put("trace_id", traceId);
		body.put("correlation_id", correlationId);
		body.put("error_uri", "https://login.microsoftonline.com/error?code=" + code);
		return new Answer(status, body, null);
	}

	private Kind kind(@Nullable String clientId, Map<String, String> parameters) {
		if (parameters.containsKey("client_secret")) {
			return Kind.CLIENT_SECRET;
		}
		String assertion = parameters.get("client_assertion");
		if (assertion == null) {
			return Kind.NONE;
		}
		if (clientId != null && this.federated.containsKey(clientId)
				&& (!this.certificates.containsKey(clientId) || assertion.equals(this.federated.get(clientId)))) {
			return Kind.FEDERATED;
		}
		return (clientId != null && this.certificates.containsKey(clientId)) ? Kind.CLIENT_CERTIFICATE : Kind.FEDERATED;
	}

	private static boolean verifies(SignedJWT jwt, @Nullable X509Certificate certificate) {
		if (certificate == null || !(certificate.getPublicKey() instanceof RSAPublicKey publicKey)
				|| !(JWSAlgorithm.RS256.equals(jwt.getHeader().getAlgorithm())
						|| JWSAlgorithm.PS256.equals(jwt.getHeader().getAlgorithm()))) {
			return false;
		}
		try {
			return jwt.verify(new RSASSAVerifier(publicKey));
		}
		catch (JOSEException ex) {
			return false;
		}
	}

	private static List<String> thumbprints(X509Certificate certificate, String algorithm) {
		try {
			byte[] digest = MessageDigest.getInstance(algorithm).digest(certificate.getEncoded());
			return List.of(Base64.getEncoder().encodeToString(digest),
					Base64.getUrlEncoder().withoutPadding().encodeToString(digest));
		}
		catch (CertificateEncodingException | NoSuchAlgorithmException ex) {
			throw new IllegalStateException("Cannot take the " + algorithm + " thumbprint of a certificate", ex);
		}
	}

	// Compared in constant time, as a real secret check would be.
	private static boolean sameText(String given, @Nullable String expected) {
		return expected != null && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
				expected.getBytes(StandardCharsets.UTF_8));
	}

	// AZURE_POD_IDENTITY_AUTHORITY_HOST plus "/" plus the IMDS path gives
	// "//metadata/...".
	private static String path(String uri) {
		int question = uri.indexOf('?');
		String path = (question < 0) ? uri : uri.substring(0, question);
		return path.replaceFirst("^/{2,}", "/");
	}

	private static Map<String, String> parameters(@Nullable String encoded) {
		Map<String, String> parameters = new LinkedHashMap<>();
		if (encoded == null || encoded.isEmpty()) {
			return parameters;
		}
		for (String pair : encoded.split("&")) {
			int equals = pair.indexOf('=');
			String name = URLDecoder.decode((equals < 0) ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
			String value = URLDecoder.decode((equals < 0) ? "" : pair.substring(equals + 1), StandardCharsets.UTF_8);
			parameters.putIfAbsent(name, value);
		}
		return parameters;
	}

	private static Mono<Void> json(HttpServerResponse response, int status, Object body) {
		return response.status(status)
			.header("Content-Type", "application/json; charset=utf-8")
			.header("Cache-Control", "no-store, no-cache")
			.sendString(Mono.just(JSON.writeValueAsString(body)))
			.then();
	}

	private static RSAKey newSigningKey() {
		try {
			return new RSAKeyGenerator(2048).keyID(UUID.randomUUID().toString()).generate();
		}
		catch (JOSEException ex) {
			throw new IllegalStateException("Could not generate a signing key", ex);
		}
	}

	private static String randomText() {
		byte[] random = new byte[16];
		new SecureRandom().nextBytes(random);
		return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
	}

	/**
	 * How a token was asked for.
	 */
	public enum Kind {

		/** Client credentials grant with {@code client_secret}. */
		CLIENT_SECRET,

		/** Client credentials grant with an assertion signed by a client certificate. */
		CLIENT_CERTIFICATE,

		/** Client credentials grant with a federated assertion (workload identity). */
		FEDERATED,

		/** App Service managed identity protocol. */
		APP_SERVICE,

		/** IMDS managed identity protocol. */
		IMDS,

		/** Token endpoint request with neither a secret nor an assertion. */
		NONE

	}

	/**
	 * One token request as LocalEntra received it.
	 *
	 * @param kind how the token was asked for
	 * @param clientId the client id sent; for a managed identity without one, the
	 * system-assigned identity's
	 * @param scope the {@code scope} (token endpoint) or {@code resource} (managed
	 * identity) asked for
	 * @param time when it arrived, by LocalEntra's clock
	 * @param status the status answered, 0 when it was left hanging
	 * @param tokenId the {@code uti} claim of the token issued, or {@code null} when none
	 * was
	 */
	public record TokenRequest(Kind kind, @Nullable String clientId, @Nullable String scope, Instant time, int status,
			@Nullable String tokenId) {

	}

	private record Call(Kind kind, @Nullable String clientId, @Nullable String scope, @Nullable String correlationId) {

	}

	private record Answer(int status, Object body, @Nullable String tokenId) {

	}

	private record Token(String value, String id, Duration lifetime, Instant expiresOn) {

		@Override
		public String toString() {
			return "Token[value=****, id=" + this.id + ", lifetime=" + this.lifetime + "]";
		}

	}

	private record Failures(int count, int status) {

		Failures next() {
			return new Failures(Math.max(0, this.count - 1), this.status);
		}

	}

}
