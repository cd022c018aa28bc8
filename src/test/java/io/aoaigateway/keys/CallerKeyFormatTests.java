package io.aoaigateway.keys;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link CallerKeyFormat}: keys are recognisable, carry their key id and 256 random bits,
 * and hostile values are refused before anything else is looked at.
 */
class CallerKeyFormatTests {

	private final SecureRandom random = new SecureRandom();

	@Test
	void newKeyWhenMadeThenPrefixKeyIdAndA256BitSecret() {
		String key = CallerKeyFormat.newKey(this.random);

		assertThat(key).hasSize(CallerKeyFormat.KEY_LENGTH).matches("aoai_[a-z0-9]{10}_[A-Za-z0-9_-]{43}");
		assertThat(Base64.getUrlDecoder().decode(key.substring(16))).hasSize(32);
		assertThat(CallerKeyFormat.keyId(key)).isEqualTo(key.substring(5, 15));
	}

	@Test
	void newKeyWhenMadeManyTimesThenNeverTheSame() {
		Set<String> keys = new HashSet<>();
		Set<String> ids = new HashSet<>();
		for (int i = 0; i < 10_000; i++) {
			String key = CallerKeyFormat.newKey(this.random);
			keys.add(key);
			ids.add(CallerKeyFormat.keyId(key));
		}

		assertThat(keys).hasSize(10_000);
		assertThat(ids).hasSize(10_000);
	}

	@Test
	void keyIdWhenSecretContainsUnderscoresThenStillTheIdAfterThePrefix() {
		String key = "aoai_abcdefghij_" + "_".repeat(43);

		assertThat(CallerKeyFormat.keyId(key)).isEqualTo("abcdefghij");
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "aoai_", "aoai_abcdefghij", "aoai_abcdefghij_",
			// a JWT, an Azure key (32 hex) and a long Azure key (84 base62)
			"eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl", "0123456789abcdef0123456789abcdef",
			"A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0U1v2W3x4Y5z6A7b8C9d0E1f2G3h4I5j6K7l8M9n0O1p2Q3r4",
			// one character short, one too long
			"aoai_abcdefghij_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
			"aoai_abcdefghij_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
			// upper case or a symbol in the key id, the separator missing
			"aoai_ABCDEFGHIJ_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
			"aoai_abcde.ghij_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
			"aoai_abcdefghijXAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
			// base64 (not url) characters, a space, unicode look-alikes
			"aoai_abcdefghij_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+",
			"aoai_abcdefghij_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA ",
			"aoai_abcdefghij_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAΑ",
			"aoai_аbcdefghij_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
			"AOAI_abcdefghij_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" })
	void keyIdWhenNotAWellFormedKeyThenNull(String value) {
		assertThat(CallerKeyFormat.keyId(value)).isNull();
	}

	@Test
	void keyIdWhenHugeThenNullWithoutLookingAtIt() {
		String huge = "aoai_abcdefghij_" + "A".repeat(10_000_000);

		assertThat(CallerKeyFormat.keyId(huge)).isNull();
	}

	@Test
	void looksLikeKeyWhenPrefixedThenTrueEvenIfMalformed() {
		assertThat(CallerKeyFormat.looksLikeKey("aoai_x")).isTrue();
		assertThat(CallerKeyFormat.looksLikeKey("eyJhbGciOi")).isFalse();
		assertThat(CallerKeyFormat.looksLikeKey("0123456789abcdef0123456789abcdef")).isFalse();
	}

	@Test
	void matchesWhenSameKeyThenTrueAndWhenAnyCharacterDiffersThenFalse() {
		String key = CallerKeyFormat.newKey(this.random);
		byte[] salt = CallerKeyFormat.newSalt(this.random);
		byte[] hash = CallerKeyFormat.hash(salt, key);

		assertThat(CallerKeyFormat.matches(salt, hash, key)).isTrue();
		for (int i = 0; i < key.length(); i++) {
			char changed = (key.charAt(i) == 'a') ? 'b' : 'a';
			String other = key.substring(0, i) + changed + key.substring(i + 1);
			assertThat(CallerKeyFormat.matches(salt, hash, other)).as("changed at %d", i).isFalse();
		}
	}

	@Test
	void hashWhenSaltDiffersThenHashDiffers() {
		String key = CallerKeyFormat.newKey(this.random);

		byte[] first = CallerKeyFormat.hash(CallerKeyFormat.newSalt(this.random), key);
		byte[] second = CallerKeyFormat.hash(CallerKeyFormat.newSalt(this.random), key);

		assertThat(first).hasSize(32).isNotEqualTo(second);
		assertThat(new String(first, StandardCharsets.ISO_8859_1)).doesNotContain(key);
	}

}
