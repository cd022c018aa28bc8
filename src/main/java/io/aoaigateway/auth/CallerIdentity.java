package io.aoaigateway.auth;

import java.util.Collection;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimNames;

/**
 * Who is calling, read once from the validated Entra ID token; what quotas, affinity and
 * usage records key on.
 *
 * @param id stable id of the caller: the Entra object id ({@code oid}), else {@code sub}
 * (see {@link #stableId(Jwt)})
 * @param subject the token's {@code sub}
 * @param tenantId the caller's tenant ({@code tid})
 * @param appId the calling application's client id ({@code azp}, or {@code appid} in v1
 * tokens)
 * @param name display name ({@code name}, else {@code preferred_username})
 * @param roles app roles granted to the caller ({@code roles})
 * @param groups group object ids ({@code groups})
 */
public record CallerIdentity(String id, String subject, @Nullable String tenantId, @Nullable String appId,
		@Nullable String name, List<String> roles, List<String> groups) {

	public CallerIdentity {
		roles = List.copyOf(roles);
		groups = List.copyOf(groups);
	}

	/**
	 * Longest caller id accepted (Entra's {@code oid} is 36 characters, its {@code sub}
	 * 43).
	 */
	static final int MAX_ID_LENGTH = 256;

	/**
	 * Reads the caller from a validated token.
	 * @param jwt the token
	 * @return the caller
	 * @throws IllegalArgumentException when the token has no {@link #stableId stable id}
	 * (tokens are validated for one before they get here)
	 */
	public static CallerIdentity from(Jwt jwt) {
		String id = stableId(jwt);
		if (id == null) {
			throw new IllegalArgumentException("The token names no caller (no usable oid or sub)");
		}
		String subject = (jwt.getSubject() != null) ? jwt.getSubject() : "";
		String appId = firstNonNull(jwt.getClaimAsString("azp"), jwt.getClaimAsString("appid"));
		String name = firstNonNull(jwt.getClaimAsString("name"), jwt.getClaimAsString("preferred_username"));
		return new CallerIdentity(id, subject, jwt.getClaimAsString("tid"), appId, name, strings(jwt, "roles"),
				strings(jwt, "groups"));
	}

	/**
	 * The id that quotas, object ownership and usage records key on: the token's
	 * {@code oid}, else its {@code sub}, whichever first is a usable id. A usable id is a
	 * JSON string of at most {@value #MAX_ID_LENGTH} characters, without control
	 * characters, with at least one letter or digit: an empty, blank or invisible value
	 * would make every such caller one shared caller.
	 * @param jwt the token
	 * @return the id, or {@code null} when neither claim is usable
	 */
	static @Nullable String stableId(Jwt jwt) {
		String objectId = usableId(jwt.getClaims().get("oid"));
		return (objectId != null) ? objectId : usableId(jwt.getClaims().get(JwtClaimNames.SUB));
	}

	private static @Nullable String usableId(@Nullable Object claim) {
		if (!(claim instanceof String id) || id.length() > MAX_ID_LENGTH
				|| id.chars().anyMatch(Character::isISOControl)) {
			return null;
		}
		return id.codePoints().anyMatch(Character::isLetterOrDigit) ? id : null;
	}

	// Only what Entra ID emits (an array of strings, or a lone string) counts; anything
	// else grants nothing.
	private static List<String> strings(Jwt jwt, String claim) {
		Object value = jwt.getClaims().get(claim);
		if (value instanceof String single) {
			return List.of(single);
		}
		if (value instanceof Collection<?> values) {
			return values.stream().filter(String.class::isInstance).map(String.class::cast).toList();
		}
		return List.of();
	}

	private static @Nullable String firstNonNull(@Nullable String first, @Nullable String second) {
		return (first != null) ? first : second;
	}

}
