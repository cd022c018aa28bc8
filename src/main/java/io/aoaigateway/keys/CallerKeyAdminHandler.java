package io.aoaigateway.keys;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Objects;

import io.aoaigateway.auth.CallerAuthentication;
import io.aoaigateway.auth.CallerIdentity;
import io.aoaigateway.keys.CallerKeyAdminException.Reason;
import io.aoaigateway.support.AzureError;
import io.aoaigateway.support.GatewayErrors;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.boot.convert.DurationStyle;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.ServerWebInputException;

/**
 * {@code /gateway/keys}: creates, lists, rotates and revokes caller keys, for Entra ID
 * callers holding the key-admin app role only (never for a caller key). Off unless
 * {@code aoai.caller-keys.admin.enabled}. A new key is in the answer that creates it and
 * nowhere else; listings show records without salt or hash.
 */
final class CallerKeyAdminHandler {

	static final String PATH = "/gateway/keys";

	private final CallerKeys keys;

	private final String adminRole;

	private final Duration defaultGracePeriod;

	private final Clock clock;

	CallerKeyAdminHandler(CallerKeys keys, String adminRole, Duration defaultGracePeriod, Clock clock) {
		this.keys = keys;
		this.adminRole = adminRole;
		this.defaultGracePeriod = defaultGracePeriod;
		this.clock = clock;
	}

	RouterFunction<ServerResponse> routes() {
		return RouterFunctions.route()
			.GET(PATH, (request) -> asAdmin(request, (admin) -> list()))
			.POST(PATH, (request) -> asAdmin(request, (admin) -> create(request, admin)))
			.POST(PATH + "/{keyId}/rotate", (request) -> asAdmin(request, (admin) -> rotate(request, admin)))
			.DELETE(PATH + "/{keyId}", (request) -> asAdmin(request, (admin) -> revoke(request, admin)))
			.build();
	}

	private Mono<ServerResponse> asAdmin(ServerRequest request, Operation operation) {
		return request.principal().flatMap((principal) -> {
			if (principal instanceof CallerKeyAuthentication) {
				return GatewayErrors
					.response(AzureError.of(HttpStatus.FORBIDDEN, "A gateway key cannot manage gateway keys; call with "
							+ "a Microsoft Entra ID access token that holds the app role '" + this.adminRole + "'."));
			}
			if (!(principal instanceof CallerAuthentication authentication)
					|| !authentication.caller().roles().contains(this.adminRole)) {
				return GatewayErrors.response(AzureError.of(HttpStatus.FORBIDDEN,
						"Managing gateway keys needs the app role '" + this.adminRole + "'."));
			}
			return operation.run(describe(authentication.caller()))
				.onErrorResume(CallerKeyAdminException.class, CallerKeyAdminHandler::refused)
				.onErrorResume(ServerWebInputException.class, (ex) -> GatewayErrors
					.response(AzureError.badRequest("The request body is not valid JSON for this operation.")));
		})
			.switchIfEmpty(Mono.defer(() -> GatewayErrors.response(AzureError.of(HttpStatus.FORBIDDEN,
					"Managing gateway keys needs the app role '" + this.adminRole + "'."))));
	}

	private Mono<ServerResponse> list() {
		Instant now = this.clock.instant();
		return this.keys.list()
			.flatMap((records) -> ok(HttpStatus.OK, new KeyList(this.keys.writable() ? "redis" : "configuration",
					records.stream().map((key) -> KeyView.of(key, now)).toList())));
	}

	private Mono<ServerResponse> create(ServerRequest request, String admin) {
		return request.bodyToMono(CreateRequest.class)
			.switchIfEmpty(Mono.error(() -> invalid("A JSON body with app, name and owner is required.")))
			.flatMap((body) -> this.keys.create(body.toNewKey(), admin))
			.flatMap((issued) -> ok(HttpStatus.CREATED,
					new CreatedKey(issued.key(), KeyView.of(issued.record(), this.clock.instant()))));
	}

	private Mono<ServerResponse> rotate(ServerRequest request, String admin) {
		String keyId = request.pathVariable("keyId");
		return request.bodyToMono(RotateRequest.class)
			.defaultIfEmpty(new RotateRequest(null, null))
			.flatMap((body) -> this.keys.rotate(keyId, body.grace(this.defaultGracePeriod), body.expiresAt(), admin))
			.flatMap((rotation) -> {
				Instant now = this.clock.instant();
				return ok(HttpStatus.CREATED, new RotatedKey(rotation.issued().key(),
						KeyView.of(rotation.issued().record(), now), KeyView.of(rotation.retired(), now)));
			});
	}

	private Mono<ServerResponse> revoke(ServerRequest request, String admin) {
		return this.keys.revoke(request.pathVariable("keyId"), admin).then(ServerResponse.noContent().build());
	}

	private static Mono<ServerResponse> ok(HttpStatus status, Object body) {
		// An answer may hold a new key: no cache may keep it.
		return ServerResponse.status(status)
			.cacheControl(CacheControl.noStore())
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body);
	}

	private static Mono<ServerResponse> refused(CallerKeyAdminException ex) {
		String message = Objects.requireNonNullElse(ex.getMessage(), "The request was refused.");
		return GatewayErrors.response(switch (ex.reason()) {
			case INVALID -> AzureError.badRequest(message);
			case NOT_FOUND -> AzureError.of(HttpStatus.NOT_FOUND, message);
			case CONFLICT -> new AzureError(HttpStatus.CONFLICT, "Conflict", message);
		});
	}

	private static CallerKeyAdminException invalid(String message) {
		return new CallerKeyAdminException(Reason.INVALID, message);
	}

	// For the audit line: the id has no control characters (CallerIdentity checks it);
	// the client id is a token claim, kept to one line.
	private static String describe(CallerIdentity admin) {
		String app = (admin.appId() != null) ? " (app " + admin.appId().replaceAll("\\p{Cntrl}", "?") + ")" : "";
		return "'" + admin.id() + "'" + app;
	}

	@FunctionalInterface
	private interface Operation {

		Mono<ServerResponse> run(String admin);

	}

	/**
	 * A create request.
	 *
	 * @param app the application the key stands for
	 * @param name what the key is for
	 * @param owner who to ask about the key
	 * @param expiresAt when the key stops working, or none
	 * @param roles app roles for role quota policies
	 * @param groups groups for group quota policies
	 */
	record CreateRequest(@Nullable String app, @Nullable String name, @Nullable String owner,
			@Nullable Instant expiresAt, @Nullable List<String> roles, @Nullable List<String> groups) {

		NewCallerKey toNewKey() {
			if (this.app == null || this.name == null || this.owner == null) {
				throw invalid("app, name and owner are required.");
			}
			return new NewCallerKey(this.app, this.name, this.owner, this.expiresAt, texts(this.roles),
					texts(this.groups));
		}

		private static List<String> texts(@Nullable List<String> values) {
			return (values != null) ? values.stream().filter(Objects::nonNull).toList() : List.of();
		}

	}

	/**
	 * A rotate request.
	 *
	 * @param gracePeriod how long the old key keeps working, e.g. {@code 24h} or
	 * {@code PT24H}; the configured default when absent
	 * @param expiresAt when the new key expires; the old key's lifetime when absent
	 */
	record RotateRequest(@Nullable String gracePeriod, @Nullable Instant expiresAt) {

		Duration grace(Duration defaultGrace) {
			if (this.gracePeriod == null) {
				return defaultGrace;
			}
			try {
				return DurationStyle.detectAndParse(this.gracePeriod);
			}
			catch (IllegalArgumentException | DateTimeParseException ex) {
				throw invalid("gracePeriod must be a duration such as 24h or PT24H.");
			}
		}

	}

	/**
	 * A key as administrators see it: never its secret, salt or hash.
	 *
	 * @param keyId the key's id
	 * @param prefix what the key starts with, to recognise it
	 * @param name what it is for
	 * @param app the app it stands for
	 * @param caller the caller id its calls count as
	 * @param owner who to ask about it
	 * @param createdAt when it was made
	 * @param expiresAt when it stops working, if ever
	 * @param expired whether it has stopped working
	 * @param roles its app roles
	 * @param groups its groups
	 */
	record KeyView(String keyId, String prefix, String name, String app, String caller, String owner, Instant createdAt,
			@Nullable Instant expiresAt, boolean expired, List<String> roles, List<String> groups) {

		static KeyView of(CallerKey key, Instant now) {
			return new KeyView(key.keyId(), key.prefix(), key.name(), key.app(), CallerKey.callerId(key.app()),
					key.owner(), key.createdAt(), key.expiresAt(), key.expired(now), key.roles(), key.groups());
		}

	}

	/**
	 * Every key.
	 *
	 * @param source where the keys live: {@code redis} or {@code configuration}
	 * @param keys the keys
	 */
	record KeyList(String source, List<KeyView> keys) {

	}

	/**
	 * A new key, shown this once.
	 *
	 * @param key the key
	 * @param record its record
	 */
	record CreatedKey(String key, KeyView record) {

		@Override
		public String toString() {
			return "CreatedKey[key=****, record=" + this.record + "]";
		}

	}

	/**
	 * A rotation: the new key, shown this once, and the old key with its new expiry.
	 *
	 * @param key the new key
	 * @param record the new key's record
	 * @param previous the old key's record
	 */
	record RotatedKey(String key, KeyView record, KeyView previous) {

		@Override
		public String toString() {
			return "RotatedKey[key=****, record=" + this.record + ", previous=" + this.previous + "]";
		}

	}

}
