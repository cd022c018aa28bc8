package io.aoaigateway.keys;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * Which credential a call carries, read from its {@code api-key} and
 * {@code Authorization} headers, before anything is checked.
 * <ul>
 * <li>A caller key in {@code api-key} (Azure SDKs) or as {@code Authorization: Bearer}
 * (the OpenAI SDK) is the call's credential; the same key in both is one credential.</li>
 * <li>A caller key together with any other credential (an Entra token, another key, a
 * second {@code api-key}) is a conflict: the gateway will not guess which one is
 * meant.</li>
 * <li>An {@code api-key} that is no caller key (e.g. an Azure key left in an app's
 * settings) is ignored when the {@code Authorization} header carries the credential, and
 * refused otherwise, since nothing else would authenticate the call.</li>
 * <li>Anything else is for the Entra token check (or is no credential at all).</li>
 * </ul>
 *
 * @param kind what was found
 * @param key the caller key, for {@link Kind#KEY}
 */
record PresentedCredentials(Kind kind, @Nullable String key) {

	static final PresentedCredentials NONE = new PresentedCredentials(Kind.NONE, null);

	static final PresentedCredentials MALFORMED = new PresentedCredentials(Kind.MALFORMED, null);

	static final PresentedCredentials CONFLICT = new PresentedCredentials(Kind.CONFLICT, null);

	private static final String BEARER = "Bearer ";

	/**
	 * Reads a call's credentials.
	 * @param apiKeys the values of its {@code api-key} headers
	 * @param authorizations the values of its {@code Authorization} headers
	 * @return what it carries
	 */
	static PresentedCredentials read(List<String> apiKeys, List<String> authorizations) {
		Set<String> keys = new LinkedHashSet<>();
		List<String> otherApiKeys = new ArrayList<>();
		for (String apiKey : apiKeys) {
			if (CallerKeyFormat.looksLikeKey(apiKey)) {
				keys.add(apiKey);
			}
			else {
				otherApiKeys.add(apiKey);
			}
		}
		boolean keyInApiKey = !keys.isEmpty();
		List<String> otherAuthorizations = new ArrayList<>();
		for (String authorization : authorizations) {
			String bearer = bearerValue(authorization);
			if (bearer != null && CallerKeyFormat.looksLikeKey(bearer)) {
				keys.add(bearer);
			}
			else {
				otherAuthorizations.add(authorization);
			}
		}
		if (keys.isEmpty()) {
			return (!apiKeys.isEmpty() && authorizations.isEmpty()) ? MALFORMED : NONE;
		}
		if (keys.size() > 1 || !otherAuthorizations.isEmpty() || (keyInApiKey && !otherApiKeys.isEmpty())) {
			return CONFLICT;
		}
		return new PresentedCredentials(Kind.KEY, keys.iterator().next());
	}

	/**
	 * @param authorization an {@code Authorization} header's value
	 * @return the value after {@code Bearer } (in any case), or {@code null}
	 */
	static @Nullable String bearerValue(String authorization) {
		return authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())
				? authorization.substring(BEARER.length()) : null;
	}

	@Override
	public String toString() {
		return "PresentedCredentials[" + this.kind + "]";
	}

	/** What a call carries. */
	enum Kind {

		/** No caller key: the call is for the token check. */
		NONE,

		/** One caller key. */
		KEY,

		/** An {@code api-key} that is no caller key, and nothing else. */
		MALFORMED,

		/** A caller key and another credential. */
		CONFLICT

	}

}
