package io.aoaigateway.identity;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import org.springframework.http.HttpHeaders;

/**
 * One Entra ID access token, shared by every call to the backends whose credential it is:
 * obtained when the gateway starts, renewed in the background halfway through its life,
 * and kept in use while a renewal fails and it is still valid. At most one token request
 * is in flight at a time, and failed ones are retried with a doubling wait: never a
 * burst.
 * <p>
 * A backend that refuses the token (401) gets it renewed once; if it refuses the renewed
 * token too, its backends leave the rotation for {@code after-rejection} (the identity
 * most likely lacks a role on the resource).
 */
public final class EntraToken implements BackendCredential {

	/** Token requests by outcome ({@code renewed}, {@code failed}). */
	public static final String RENEWALS = "aoai.gateway.backend.credential.renewals";

	/** 401 answers from backends to the gateway's token. */
	public static final String REJECTIONS = "aoai.gateway.backend.credential.rejections";

	/** Seconds until the current token expires; 0 without one. */
	public static final String EXPIRY = "aoai.gateway.backend.credential.expiry";

	private static final Log logger = LogFactory.getLog(EntraToken.class);

	private static final int MAX_REASON_LENGTH = 400;

	private static final String BEARER = "Bearer ";

	private final String name;

	private final Supplier<TokenCredential> credentials;

	private final TokenRequestContext request;

	private final IdentityProperties.Refresh settings;

	private final Clock clock;

	private final Counter renewed;

	private final Counter failed;

	private final Counter rejected;

	private final Set<String> backends = new CopyOnWriteArraySet<>();

	private final AtomicReference<@Nullable Mono<Boolean>> renewal = new AtomicReference<>();

	private volatile Held held = Held.NONE;

	/**
	 * @param name the credential's name in {@code aoai.identity.credentials}
	 * @param credentials builds the credential each token request uses
	 * @param scope the scope tokens are asked for
	 * @param settings when tokens are renewed
	 * @param clock the time
	 * @param registry where the token's meters are registered
	 */
	EntraToken(String name, Supplier<TokenCredential> credentials, String scope, IdentityProperties.Refresh settings,
			Clock clock, MeterRegistry registry) {
		this.name = name;
		this.credentials = credentials;
		this.request = new TokenRequestContext().addScopes(scope);
		this.settings = settings;
		this.clock = clock;
		this.renewed = Counter.builder(RENEWALS)
			.tag("credential", name)
			.tag("outcome", "renewed")
			.description("Entra ID token requests of a backend credential, by outcome")
			.register(registry);
		this.failed = Counter.builder(RENEWALS)
			.tag("credential", name)
			.tag("outcome", "failed")
			.description("Entra ID token requests of a backend credential, by outcome")
			.register(registry);
		this.rejected = Counter.builder(REJECTIONS)
			.tag("credential", name)
			.description("Backend answers that refused the gateway's Entra ID token (401)")
			.register(registry);
		Gauge.builder(EXPIRY, this, EntraToken::secondsLeft)
			.tag("credential", name)
			.description("Seconds until the current Entra ID token of a backend credential expires; 0 without one")
			.baseUnit("seconds")
			.register(registry);
	}

	/**
	 * The credential's name.
	 * @return the name in {@code aoai.identity.credentials}
	 */
	public String name() {
		return this.name;
	}

	void servesBackend(String backend) {
		this.backends.add(backend);
	}

	List<String> backends() {
		return List.copyOf(this.backends);
	}

	@Override
	public void writeTo(HttpHeaders headers) {
		String token = this.held.token;
		if (token != null) {
			headers.setBearerAuth(token);
		}
	}

	@Override
	public boolean usable() {
		Held current = this.held;
		Instant now = this.clock.instant();
		return current.token != null && now.isBefore(current.expiresAt) && !now.isBefore(current.rejectedUntil);
	}

	@Override
	public Mono<Boolean> renewAfterRejection(HttpHeaders sent) {
		this.rejected.increment();
		Held current = this.held;
		if (current.token != null && !current.token.equals(bearer(sent))) {
			// Renewed since that attempt was sent: the next one carries the new token.
			return Mono.just(usable());
		}
		Instant now = this.clock.instant();
		if (now.isBefore(current.rejectedUntil)) {
			return Mono.just(false);
		}
		if (current.renewedAfterRejection) {
			Instant until = now.plus(this.settings.afterRejection());
			this.held = current.rejectedUntil(until);
			logger.error("Backends " + this.backends + " refused a freshly renewed token of credential '" + this.name
					+ "' (401): they are out of rotation until " + until + ", when the token is renewed again. "
					+ "Check that the identity has the role 'Cognitive Services OpenAI User' on each resource.");
			return Mono.just(false);
		}
		return renew(true);
	}

	/**
	 * Renews the token when it is due (or when it never was obtained), in the background.
	 * Called at every check interval.
	 */
	void renewIfDue() {
		Held current = this.held;
		Instant now = this.clock.instant();
		if (current.token != null && !now.isBefore(current.expiresAt) && !current.expiryReported) {
			this.held = current.withExpiryReported();
			logger.error("The token of backend credential '" + this.name + "' expired at " + current.expiresAt
					+ " and could not be renewed: backends " + this.backends
					+ " are out of rotation until a renewal succeeds.");
		}
		if (!now.isBefore(current.renewAt)) {
			renew(current.rejectedUntil.isAfter(Instant.EPOCH));
		}
	}

	/**
	 * Asks for a new token, unless a request is in flight already: then its outcome.
	 * @param afterRejection whether a backend refused the current token
	 * @return whether a token was obtained
	 */
	Mono<Boolean> renew(boolean afterRejection) {
		Mono<Boolean> running = this.renewal.get();
		if (running != null) {
			return running;
		}
		Sinks.One<Boolean> outcome = Sinks.one();
		Mono<Boolean> mine = outcome.asMono();
		if (!this.renewal.compareAndSet(null, mine)) {
			Mono<Boolean> other = this.renewal.get();
			return (other != null) ? other : Mono.just(usable());
		}
		// Subscribed here, not by the call that asked: a call that goes away does not
		// cancel the renewal the others wait for.
		request(afterRejection).subscribe((obtained) -> {
			this.renewal.set(null);
			outcome.tryEmitValue(obtained);
		});
		return mine;
	}

	private Mono<Boolean> request(boolean afterRejection) {
		return Mono.defer(() -> this.credentials.get().getToken(this.request))
			.timeout(this.settings.timeout())
			.map((token) -> obtained(token, afterRejection))
			.switchIfEmpty(Mono.fromSupplier(() -> failed(new IllegalStateException("No token was returned"))))
			.onErrorResume((ex) -> Mono.just(failed(ex)));
	}

	private boolean obtained(AccessToken token, boolean afterRejection) {
		Instant now = this.clock.instant();
		Instant expiresAt = token.getExpiresAt().toInstant();
		// Halfway through its life (as Entra's own refresh_in), so that an outage of
		// Entra
		// has half the token's life to end; at the latest before-expiry ahead of it.
		Instant renewAt = now.plus(Duration.between(now, expiresAt).dividedBy(2));
		Instant latest = expiresAt.minus(this.settings.beforeExpiry());
		if (latest.isBefore(renewAt) && latest.isAfter(now)) {
			renewAt = latest;
		}
		// A cached token handed back again must not make a renewal at every check.
		Instant earliest = now.plus(this.settings.retryMin());
		if (renewAt.isBefore(earliest)) {
			renewAt = earliest;
		}
		Held previous = this.held;
		this.held = new Held(token.getToken(), expiresAt, renewAt, 0, Instant.EPOCH, afterRejection, false);
		this.renewed.increment();
		if (previous.token == null) {
			logger.info("Backend credential '" + this.name + "' obtained a token valid until " + expiresAt
					+ " for backends " + this.backends + "; renewal due at " + renewAt);
		}
		else if (previous.failures > 0) {
			logger.info("Backend credential '" + this.name + "' renewed its token after " + previous.failures
					+ " failed attempt(s); valid until " + expiresAt);
		}
		else if (logger.isDebugEnabled()) {
			logger.debug("Backend credential '" + this.name + "' renewed its token; valid until " + expiresAt);
		}
		return true;
	}

	private boolean failed(Throwable ex) {
		Instant now = this.clock.instant();
		Held previous = this.held;
		int failures = previous.failures + 1;
		Duration wait = backoff(failures);
		Instant next = now.plus(wait);
		this.held = previous.failed(failures, next);
		this.failed.increment();
		String reason = reason(ex);
		if (previous.token != null && now.isBefore(previous.expiresAt)) {
			logger.warn("Backend credential '" + this.name + "' could not renew its token (attempt " + failures
					+ ", next at " + next + "); the current token stays in use until " + previous.expiresAt + ": "
					+ reason);
		}
		else {
			logger.error("Backend credential '" + this.name + "' has no valid token (attempt " + failures + ", next at "
					+ next + "); backends " + this.backends + " are out of rotation: " + reason);
		}
		return false;
	}

	private Duration backoff(int failures) {
		Duration wait = this.settings.retryMin();
		for (int i = 1; i < failures && wait.compareTo(this.settings.retryMax()) < 0; i++) {
			wait = wait.multipliedBy(2);
		}
		return (wait.compareTo(this.settings.retryMax()) > 0) ? this.settings.retryMax() : wait;
	}

	/**
	 * What the token's state is, without the token: for the health endpoint.
	 * @return the state's details
	 */
	Map<String, Object> details() {
		Held current = this.held;
		Instant now = this.clock.instant();
		Map<String, Object> details = new LinkedHashMap<>();
		String state;
		if (current.token == null) {
			state = "none";
		}
		else if (!now.isBefore(current.expiresAt)) {
			state = "expired";
		}
		else if (now.isBefore(current.rejectedUntil)) {
			state = "rejected";
		}
		else {
			state = "valid";
		}
		details.put("state", state);
		if (current.token != null) {
			details.put("expiresAt", current.expiresAt.toString());
		}
		details.put("renewAt", current.renewAt.toString());
		details.put("failedRenewals", current.failures);
		details.put("backends", backends());
		return details;
	}

	private double secondsLeft() {
		Held current = this.held;
		if (current.token == null) {
			return 0;
		}
		long millis = Duration.between(this.clock.instant(), current.expiresAt).toMillis();
		return Math.max(0, millis) / 1000.0;
	}

	private static @Nullable String bearer(HttpHeaders headers) {
		String authorization = headers.getFirst(HttpHeaders.AUTHORIZATION);
		return (authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length()))
				? authorization.substring(BEARER.length()) : null;
	}

	// azure-identity's messages carry Entra's AADSTS code and trace ids, which are what
	// an
	// operator needs; never the secret or the token. Long ones are cut.
	private static String reason(Throwable ex) {
		Throwable cause = ex;
		StringBuilder reason = new StringBuilder();
		while (cause != null && reason.length() < MAX_REASON_LENGTH) {
			if (reason.length() > 0) {
				reason.append(" <- ");
			}
			String message = cause.getMessage();
			reason.append(cause.getClass().getSimpleName());
			if (message != null) {
				reason.append(": ").append(message.replaceAll("\\s+", " "));
			}
			cause = (cause.getCause() != cause) ? cause.getCause() : null;
		}
		return (reason.length() > MAX_REASON_LENGTH) ? reason.substring(0, MAX_REASON_LENGTH) + "..."
				: reason.toString();
	}

	/**
	 * The token held, and when it is renewed next.
	 *
	 * @param token the token, {@code null} before the first one
	 * @param expiresAt when it expires
	 * @param renewAt when it is renewed next (after a failure: when it is tried again)
	 * @param failures renewals failed in a row
	 * @param rejectedUntil until when its backends are out of rotation after refusing it
	 * @param renewedAfterRejection whether this token replaced one a backend refused
	 * @param expiryReported whether its expiry was logged
	 */
	private record Held(@Nullable String token, Instant expiresAt, Instant renewAt, int failures, Instant rejectedUntil,
			boolean renewedAfterRejection, boolean expiryReported) {

		static final Held NONE = new Held(null, Instant.EPOCH, Instant.EPOCH, 0, Instant.EPOCH, false, true);

		Held failed(int failures, Instant next) {
			return new Held(this.token, this.expiresAt, next, failures, this.rejectedUntil, this.renewedAfterRejection,
					this.expiryReported);
		}

		Held rejectedUntil(Instant until) {
			return new Held(this.token, this.expiresAt, until, this.failures, until, this.renewedAfterRejection,
					this.expiryReported);
		}

		Held withExpiryReported() {
			return new Held(this.token, this.expiresAt, this.renewAt, this.failures, this.rejectedUntil,
					this.renewedAfterRejection, true);
		}

		@Override
		public String toString() {
			return "Held[expiresAt=" + this.expiresAt + ", renewAt=" + this.renewAt + ", failures=" + this.failures
					+ "]";
		}

	}

}
