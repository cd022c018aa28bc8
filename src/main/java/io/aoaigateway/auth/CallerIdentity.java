package io.aoaigateway.auth;

import java.util.Collection;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.security.oauth2.jwt.Jwt;

/**
 * Who is calling, read once from the validated Entra ID token; what quotas, affinity and
 * usage records key on.
 *
 * @param id stable id of the caller: the Entra object id ({@code oid}), else {@code sub}
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
	 * Reads the caller from a validated token.
	 * @param jwt the token
	 * @return the caller
	 */
	public static CallerIdentity from(Jwt jwt) {
		String subject = (jwt.getSubject() != null) ? jwt.getSubject() : "";
		String objectId = jwt.getClaimAsString("oid");
		String appId = firstNonNull(jwt.getClaimAsString("azp"), jwt.getClaimAsString("appid"));
		String name = firstNonNull(jwt.getClaimAsString("name"), jwt.getClaimAsString("preferred_username"));
		return new CallerIdentity((objectId != null) ? objectId : subject, subject, jwt.getClaimAsString("tid"), appId,
				name, strings(jwt, "roles"), strings(jwt, "groups"));
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
