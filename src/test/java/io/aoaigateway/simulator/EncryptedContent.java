package io.aoaigateway.simulator;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.jspecify.annotations.Nullable;

/**
 * The {@code encrypted_content} of reasoning items: an opaque string that only the
 * resource that wrote it can read back, as with Azure, where a reasoning item from one
 * resource is refused by another.
 * <p>
 * The string is base64 of {@code resource:itemId:signature}, the signature being an
 * HMAC-SHA256 of resource and item id under a secret drawn at random for each simulated
 * resource. Nothing is encrypted; the point is only that another resource, even one with
 * the same name, cannot verify it.
 */
final class EncryptedContent {

	private static final String ALGORITHM = "HmacSHA256";

	private final String resource;

	private final byte[] secret = new byte[32];

	EncryptedContent(String resource) {
		this.resource = resource;
		new SecureRandom().nextBytes(this.secret);
	}

	/**
	 * @param itemId the reasoning item's id
	 * @return the content to hand out with the item
	 */
	String seal(String itemId) {
		String clear = this.resource + ":" + itemId + ":" + signature(itemId);
		return Base64.getEncoder().encodeToString(clear.getBytes(StandardCharsets.UTF_8));
	}

	/**
	 * Whether this resource wrote the content, for the given item.
	 * @param itemId the id the caller sent with the item, or {@code null} to accept the
	 * id inside the content
	 * @param content the content the caller sent
	 * @return {@code true} when it verifies
	 */
	boolean readable(@Nullable String itemId, String content) {
		String clear;
		try {
			clear = new String(Base64.getDecoder().decode(content), StandardCharsets.UTF_8);
		}
		catch (IllegalArgumentException ex) {
			return false;
		}
		int end = clear.lastIndexOf(':');
		int start = (end > 0) ? clear.lastIndexOf(':', end - 1) : -1;
		if (start < 0) {
			return false;
		}
		String sealedResource = clear.substring(0, start);
		String sealedItem = clear.substring(start + 1, end);
		byte[] signature = clear.substring(end + 1).getBytes(StandardCharsets.UTF_8);
		return sealedResource.equals(this.resource) && (itemId == null || itemId.equals(sealedItem))
				&& MessageDigest.isEqual(signature, signature(sealedItem).getBytes(StandardCharsets.UTF_8));
	}

	private String signature(String itemId) {
		try {
			Mac mac = Mac.getInstance(ALGORITHM);
			mac.init(new SecretKeySpec(this.secret, ALGORITHM));
			byte[] signed = mac.doFinal((this.resource + ":" + itemId).getBytes(StandardCharsets.UTF_8));
			return HexFormat.of().formatHex(signed);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ALGORITHM + " is not available", ex);
		}
	}

}
