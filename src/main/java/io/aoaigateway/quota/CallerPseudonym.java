package io.aoaigateway.quota;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.aoaigateway.auth.CallerIdentity;
import org.jspecify.annotations.Nullable;

/**
 * A stable id for a caller that does not reveal who the caller is: what the gateway puts
 * in the request's {@code user} field for Azure's abuse monitoring.
 */
final class CallerPseudonym {

	// Pseudonyms already computed, by tenant and caller id: a digest per call was among
	// the hottest frames of the request path. Bounded: emptied when full.
	private static final int MAX_REMEMBERED = 10_000;

	private final byte @Nullable [] key;

	private final Map<String, String> remembered = new ConcurrentHashMap<>();

	CallerPseudonym(@Nullable String key) {
		this.key = (key != null && !key.isEmpty()) ? key.getBytes(StandardCharsets.UTF_8) : null;
	}

	String of(CallerIdentity caller) {
		String name = caller.tenantId() + "/" + caller.id();
		String known = this.remembered.get(name);
		if (known != null) {
			return known;
		}
		if (this.remembered.size() >= MAX_REMEMBERED) {
			this.remembered.clear();
		}
		String pseudonym = compute(caller);
		this.remembered.put(name, pseudonym);
		return pseudonym;
	}

	private String compute(CallerIdentity caller) {
		byte[] input = (caller.tenantId() + "/" + caller.id()).getBytes(StandardCharsets.UTF_8);
		byte[] digest = (this.key != null) ? hmac(this.key, input) : sha256(input);
		return "gw-" + Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(digest, 16));
	}

	private static byte[] hmac(byte[] key, byte[] input) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(new SecretKeySpec(key, "HmacSHA256"));
			return mac.doFinal(input);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("HmacSHA256 is unavailable", ex);
		}
	}

	private static byte[] sha256(byte[] input) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(input);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("SHA-256 is unavailable", ex);
		}
	}

}
