package io.aoaigateway.keys;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

import io.aoaigateway.keys.CallerKeyAdminException.Reason;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * The caller keys every call is checked against: an in-memory copy of the store's
 * records, refreshed by {@link #refresh()} (every
 * {@code aoai.caller-keys.refresh-interval}, and after each change made here). The
 * interval bounds how long a revoked key keeps working on another replica.
 * <p>
 * When the store cannot be read, the last records loaded stay in use for up to
 * {@code max-staleness} after the last successful read; past that, and before the first
 * read, every key is refused as {@link CallerKeyOutcome#UNAVAILABLE} (fail closed: a
 * revocation the replica cannot see must not keep a key working for ever).
 */
public final class CallerKeys {

	/** Valid (unexpired) keys an app may hold at once: the current one and the next. */
	static final int MAX_KEYS_PER_APP = 2;

	private static final Log logger = LogFactory.getLog(CallerKeys.class);

	private static final int WRITE_ATTEMPTS = 3;

	// Checked against when the key id is unknown, so that an unknown id costs the same
	// hash as a known one with a wrong secret.
	private static final byte[] DECOY_SALT = new byte[CallerKeyFormat.SALT_BYTES];

	private static final byte[] DECOY_HASH = new byte[CallerKeyFormat.HASH_BYTES];

	private final CallerKeyStore store;

	private final Clock clock;

	private final Duration maxStaleness;

	private final SecureRandom random;

	private final AtomicLong refreshes = new AtomicLong();

	private volatile Snapshot snapshot = Snapshot.NONE;

	// Guarded by this.
	private long appliedRefresh;

	private volatile boolean failing;

	private volatile boolean staleReported;

	/**
	 * @param store where the records live
	 * @param clock the time keys expire and staleness is measured on
	 * @param maxStaleness how long the last records loaded are used when the store cannot
	 * be read
	 * @param random the source of new keys
	 */
	CallerKeys(CallerKeyStore store, Clock clock, Duration maxStaleness, SecureRandom random) {
		this.store = store;
		this.clock = clock;
		this.maxStaleness = maxStaleness;
		this.random = random;
	}

	/**
	 * Reads the store and, when its records changed, replaces the ones in use. A failed
	 * read keeps the records in use (and is logged once until a read succeeds again).
	 * @return completes when done; never fails
	 */
	Mono<Void> refresh() {
		return Mono.defer(() -> {
			long refresh = this.refreshes.incrementAndGet();
			Snapshot current = this.snapshot;
			Instant started = this.clock.instant();
			return this.store.read(current.version())
				.map((catalog) -> Snapshot.of(catalog, started))
				.defaultIfEmpty(current.readAgain(started))
				.doOnNext((next) -> apply(refresh, next))
				.then()
				.onErrorResume((ex) -> {
					refreshFailed(ex);
					return Mono.empty();
				});
		});
	}

	/**
	 * Checks a key a caller presented.
	 * @param key the key, as sent
	 * @return accepted with the key's record, or why not
	 */
	CallerKeyVerification verify(String key) {
		String keyId = CallerKeyFormat.keyId(key);
		if (keyId == null) {
			return CallerKeyVerification.refused(CallerKeyOutcome.MALFORMED);
		}
		Instant now = this.clock.instant();
		Snapshot current = this.snapshot;
		if (!fresh(current, now)) {
			return CallerKeyVerification.refused(CallerKeyOutcome.UNAVAILABLE);
		}
		Entry entry = current.keys().get(keyId);
		if (entry == null) {
			CallerKeyFormat.matches(DECOY_SALT, DECOY_HASH, key);
			return CallerKeyVerification.refused(CallerKeyOutcome.UNKNOWN);
		}
		if (!CallerKeyFormat.matches(entry.salt(), entry.hash(), key)) {
			return CallerKeyVerification.refused(CallerKeyOutcome.WRONG_SECRET);
		}
		// Only after the secret matched: telling "expired" reveals nothing to a guesser.
		if (entry.key().expired(now)) {
			return CallerKeyVerification.refused(CallerKeyOutcome.EXPIRED);
		}
		return CallerKeyVerification.accepted(entry.key());
	}

	/**
	 * @return how long ago the records in use were last read successfully, or
	 * {@code null} before the first read
	 */
	@Nullable Duration staleness() {
		Instant readAt = this.snapshot.readAt();
		return (readAt != null) ? Duration.between(readAt, this.clock.instant()) : null;
	}

	/**
	 * @return whether keys can be created, rotated and revoked here
	 */
	boolean writable() {
		return this.store.writable();
	}

	/**
	 * Every key record, read from the store now.
	 * @return the records, by app then creation
	 */
	Mono<List<CallerKey>> list() {
		return this.store.read(null)
			.map((catalog) -> catalog.keys()
				.stream()
				.sorted(Comparator.comparing(CallerKey::app).thenComparing(CallerKey::createdAt))
				.toList());
	}

	/**
	 * Creates a key for an app that holds fewer than {@value #MAX_KEYS_PER_APP} valid
	 * keys.
	 * @param request what the key is for
	 * @param admin who asks, for the audit log
	 * @return the new key, shown once
	 */
	Mono<IssuedCallerKey> create(NewCallerKey request, String admin) {
		return write((catalog, now) -> {
			if (request.expiresAt() != null && !request.expiresAt().isAfter(now)) {
				throw new CallerKeyAdminException(Reason.INVALID, "expiresAt must be in the future");
			}
			requireRoom(catalog, request.app(), null, now);
			IssuedCallerKey issued = issue(request, now, catalog);
			return new Written<>(issued, List.of(issued.record()));
		}).doOnNext((issued) -> logger.info("Caller key " + issued.record().prefix() + " created for app '"
				+ issued.record().app() + "' (name '" + issued.record().name() + "', owner '" + issued.record().owner()
				+ "', expires " + describe(issued.record().expiresAt()) + ") by " + admin));
	}

	/**
	 * Replaces a key with a new one for the same app, caller and policies; the old one
	 * keeps working for a grace period, so that the app can switch without downtime.
	 * @param keyId the key to replace
	 * @param gracePeriod how long the old key keeps working (never longer than it would
	 * have anyway)
	 * @param expiresAt when the new key expires; {@code null} gives it the old key's
	 * lifetime (none if the old key had none)
	 * @param admin who asks, for the audit log
	 * @return the new key, and the old key's record as it now is
	 */
	Mono<Rotation> rotate(String keyId, Duration gracePeriod, @Nullable Instant expiresAt, String admin) {
		if (gracePeriod.isNegative()) {
			return Mono.error(new CallerKeyAdminException(Reason.INVALID, "gracePeriod must not be negative"));
		}
		return write((catalog, now) -> {
			CallerKey old = find(catalog, keyId);
			Instant graceEnd = now.plus(gracePeriod);
			CallerKey retiring = (old.expiresAt() == null || old.expiresAt().isAfter(graceEnd))
					? old.withExpiresAt(graceEnd) : old;
			Instant newExpiry = (expiresAt != null) ? expiresAt : sameLifetime(old, now);
			if (newExpiry != null && !newExpiry.isAfter(now)) {
				throw new CallerKeyAdminException(Reason.INVALID, "expiresAt must be in the future");
			}
			requireRoom(catalog, old.app(), retiring, now);
			IssuedCallerKey issued = issue(
					new NewCallerKey(old.app(), old.name(), old.owner(), newExpiry, old.roles(), old.groups()), now,
					catalog);
			return new Written<>(new Rotation(issued, retiring), List.of(retiring, issued.record()));
		}).doOnNext((rotation) -> logger.info("Caller key " + rotation.retired().prefix() + " of app '"
				+ rotation.retired().app() + "' rotated to " + rotation.issued().record().prefix() + " by " + admin
				+ "; the old key works until " + describe(rotation.retired().expiresAt())));
	}

	/**
	 * Deletes a key: it stops working on this replica now, on the others within the
	 * refresh interval.
	 * @param keyId the key
	 * @param admin who asks, for the audit log
	 * @return completes when deleted
	 */
	Mono<Void> revoke(String keyId, String admin) {
		return Mono.defer(() -> {
			requireWritable();
			return this.store.delete(keyId);
		}).flatMap((deleted) -> {
			if (!deleted) {
				return Mono.error(notFound(keyId));
			}
			logger.info("Caller key " + CallerKeyFormat.displayPrefix(keyId) + " revoked by " + admin);
			return refresh();
		});
	}

	// Decided on one read, saved only if the keys are still as read: a change made
	// meanwhile by another administrator (or replica) makes it start over.
	private <T> Mono<T> write(Change<T> change) {
		Mono<T> attempt = Mono.defer(() -> {
			requireWritable();
			return this.store.read(null);
		}).flatMap((catalog) -> save(catalog, change.apply(catalog, this.clock.instant())));
		return attempt.retryWhen(Retry.max(WRITE_ATTEMPTS - 1).filter(ChangedMeanwhile.class::isInstance))
			.onErrorMap(ChangedMeanwhile.class::isInstance,
					(ex) -> new CallerKeyAdminException(Reason.CONFLICT,
							"The caller keys kept changing while this request was applied; try again."))
			.flatMap((result) -> refresh().thenReturn(result));
	}

	private <T> Mono<T> save(CallerKeyCatalog catalog, Written<T> written) {
		return this.store.save(catalog.version(), written.records())
			.flatMap((saved) -> saved ? Mono.just(written.result()) : Mono.error(new ChangedMeanwhile()));
	}

	private void requireWritable() {
		if (!this.store.writable()) {
			throw new CallerKeyAdminException(Reason.CONFLICT,
					"Caller keys come from configuration (aoai.caller-keys.keys or aoai.caller-keys.file) and cannot "
							+ "be changed here: run 'java -jar aoai-gateway.jar caller-key create --app <app> --name "
							+ "<name> --owner <owner>' and add the record it prints there (remove a record to revoke "
							+ "its key), or keep caller keys in Redis (aoai.state.store=redis).");
		}
	}

	private IssuedCallerKey issue(NewCallerKey request, Instant now, CallerKeyCatalog catalog) {
		IssuedCallerKey issued;
		try {
			do {
				issued = IssuedCallerKey.issue(request, now, this.random);
			}
			while (contains(catalog, issued.record().keyId()));
		}
		catch (IllegalArgumentException ex) {
			throw new CallerKeyAdminException(Reason.INVALID, Objects.requireNonNullElse(ex.getMessage(), "invalid"));
		}
		return issued;
	}

	private static void requireRoom(CallerKeyCatalog catalog, String app, @Nullable CallerKey replaced, Instant now) {
		long valid = catalog.keys()
			.stream()
			.map((key) -> (replaced != null && key.keyId().equals(replaced.keyId())) ? replaced : key)
			.filter((key) -> key.app().equals(app) && !key.expired(now))
			.count();
		if (valid >= MAX_KEYS_PER_APP) {
			throw new CallerKeyAdminException(Reason.CONFLICT, "The app '" + app + "' already holds " + MAX_KEYS_PER_APP
					+ " valid keys; revoke one (or rotate with a shorter grace period) first.");
		}
	}

	private static CallerKey find(CallerKeyCatalog catalog, String keyId) {
		return catalog.keys()
			.stream()
			.filter((key) -> key.keyId().equals(keyId))
			.findFirst()
			.orElseThrow(() -> notFound(keyId));
	}

	private static boolean contains(CallerKeyCatalog catalog, String keyId) {
		return catalog.keys().stream().anyMatch((key) -> key.keyId().equals(keyId));
	}

	private static @Nullable Instant sameLifetime(CallerKey old, Instant now) {
		return (old.expiresAt() != null) ? now.plus(Duration.between(old.createdAt(), old.expiresAt())) : null;
	}

	private static CallerKeyAdminException notFound(String keyId) {
		// The id comes from the request: only a well-formed one is echoed.
		String shown = CallerKeyFormat.isKeyId(keyId) ? " " + CallerKeyFormat.displayPrefix(keyId) : "";
		return new CallerKeyAdminException(Reason.NOT_FOUND, "No caller key" + shown + " exists.");
	}

	private boolean fresh(Snapshot current, Instant now) {
		Instant readAt = current.readAt();
		boolean fresh = readAt != null && !now.isAfter(readAt.plus(this.maxStaleness));
		if (!fresh && readAt != null && !this.staleReported) {
			this.staleReported = true;
			logger.warn("Caller keys were last read from the store at " + readAt + ", longer ago than "
					+ "aoai.caller-keys.max-staleness (" + this.maxStaleness + "); calls with caller keys are refused "
					+ "(503) until the store answers again");
		}
		return fresh;
	}

	private synchronized void apply(long refresh, Snapshot next) {
		// A refresh started later read the store later: an earlier one that ends after
		// it must not bring back records it has replaced (e.g. a revoked key).
		if (refresh <= this.appliedRefresh) {
			return;
		}
		this.appliedRefresh = refresh;
		Snapshot previous = this.snapshot;
		this.snapshot = next;
		if (!Objects.equals(previous.version(), next.version())) {
			logger.info("Caller keys loaded: " + next.keys().size() + " key(s), store version " + next.version());
		}
		if (this.failing) {
			this.failing = false;
			logger.info("Caller keys are read from the store again");
		}
		this.staleReported = false;
	}

	private void refreshFailed(Throwable ex) {
		if (!this.failing) {
			this.failing = true;
			Instant readAt = this.snapshot.readAt();
			logger.warn("Caller keys could not be read from the store (" + ex + "); "
					+ ((readAt != null)
							? "the keys read at " + readAt + " stay in use until " + readAt.plus(this.maxStaleness)
									+ " (aoai.caller-keys.max-staleness)"
							: "no key has been read yet, so calls with caller keys are refused (503)"));
		}
		else if (logger.isDebugEnabled()) {
			logger.debug("Caller keys still cannot be read from the store: " + ex);
		}
	}

	private static String describe(@Nullable Instant expiresAt) {
		return (expiresAt != null) ? expiresAt.toString() : "never";
	}

	/**
	 * A rotation's outcome.
	 *
	 * @param issued the new key
	 * @param retired the old key's record, with its new expiry
	 */
	record Rotation(IssuedCallerKey issued, CallerKey retired) {

	}

	/** A change decided on one read of the store. */
	@FunctionalInterface
	private interface Change<T> {

		Written<T> apply(CallerKeyCatalog catalog, Instant now);

	}

	private record Written<T>(T result, List<CallerKey> records) {

	}

	private static final class ChangedMeanwhile extends RuntimeException {

		private static final long serialVersionUID = 1L;

		ChangedMeanwhile() {
			super("The caller keys changed meanwhile", null, false, false);
		}

	}

	/** A record in use, with its salt and hash decoded once. */
	private record Entry(CallerKey key, byte[] salt, byte[] hash) {

		static Entry of(CallerKey key) {
			return new Entry(key, Objects.requireNonNull(CallerKeyFormat.decode(key.salt())),
					Objects.requireNonNull(CallerKeyFormat.decode(key.hash())));
		}

	}

	/**
	 * The records in use.
	 *
	 * @param version the store's version they were read at
	 * @param keys by key id
	 * @param readAt when the store was last read successfully, {@code null} before that
	 */
	private record Snapshot(@Nullable String version, Map<String, Entry> keys, @Nullable Instant readAt) {

		static final Snapshot NONE = new Snapshot(null, Map.of(), null);

		static Snapshot of(CallerKeyCatalog catalog, Instant readAt) {
			Map<String, Entry> keys = new HashMap<>();
			for (CallerKey key : catalog.keys()) {
				keys.put(key.keyId(), Entry.of(key));
			}
			return new Snapshot(catalog.version(), Map.copyOf(keys), readAt);
		}

		Snapshot readAgain(Instant at) {
			return new Snapshot(this.version, this.keys, at);
		}

	}

}
