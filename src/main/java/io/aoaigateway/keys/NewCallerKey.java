package io.aoaigateway.keys;

import java.time.Instant;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * What an administrator asks for when creating a caller key.
 *
 * @param app the application the key stands for
 * @param name what the key is for
 * @param owner who to ask about the key
 * @param expiresAt when the key stops working, or none
 * @param roles app roles for {@code role} quota policies
 * @param groups groups for {@code group} quota policies
 */
record NewCallerKey(String app, String name, String owner, @Nullable Instant expiresAt, List<String> roles,
		List<String> groups) {

	NewCallerKey {
		roles = List.copyOf(roles);
		groups = List.copyOf(groups);
	}

}
