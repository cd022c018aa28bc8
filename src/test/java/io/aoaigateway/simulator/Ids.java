package io.aoaigateway.simulator;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Identifiers shaped like the ones Azure OpenAI issues, e.g. {@code asst_} followed by 24
 * letters and digits.
 */
final class Ids {

	private static final String ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

	private static final String HEX = "0123456789abcdef";

	private Ids() {
	}

	static String alphanumeric(String prefix, int length) {
		return prefix + random(ALPHANUMERIC, length);
	}

	static String hex(String prefix, int length) {
		return prefix + random(HEX, length);
	}

	static String uuid() {
		return UUID.randomUUID().toString();
	}

	private static String random(String alphabet, int length) {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		StringBuilder id = new StringBuilder(length);
		for (int i = 0; i < length; i++) {
			id.append(alphabet.charAt(random.nextInt(alphabet.length())));
		}
		return id.toString();
	}

}
