package io.aoaigateway.keys;

import java.security.SecureRandom;
import java.util.List;

import io.aoaigateway.keys.PresentedCredentials.Kind;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link PresentedCredentials}: which credential a call's headers carry, and when two of
 * them are one too many.
 */
class PresentedCredentialsTests {

	private static final String KEY = CallerKeyFormat.newKey(new SecureRandom());

	private static final String OTHER_KEY = CallerKeyFormat.newKey(new SecureRandom());

	private static final String JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln";

	private static final String AZURE_KEY = "0123456789abcdef0123456789abcdef";

	@Test
	void readWhenKeyInApiKeyThenKey() {
		assertThat(PresentedCredentials.read(List.of(KEY), List.of())).isEqualTo(key(KEY));
	}

	@Test
	void readWhenKeyAsBearerThenKeyInAnyCaseOfTheScheme() {
		assertThat(PresentedCredentials.read(List.of(), List.of("Bearer " + KEY))).isEqualTo(key(KEY));
		assertThat(PresentedCredentials.read(List.of(), List.of("bearer " + KEY))).isEqualTo(key(KEY));
	}

	@Test
	void readWhenSameKeyInBothHeadersThenOneKey() {
		assertThat(PresentedCredentials.read(List.of(KEY), List.of("Bearer " + KEY))).isEqualTo(key(KEY));
	}

	@Test
	void readWhenKeyAndTokenThenConflict() {
		assertThat(PresentedCredentials.read(List.of(KEY), List.of("Bearer " + JWT)).kind()).isEqualTo(Kind.CONFLICT);
		assertThat(PresentedCredentials.read(List.of(KEY), List.of("Basic dXNlcjpwYXNz")).kind())
			.isEqualTo(Kind.CONFLICT);
	}

	@Test
	void readWhenTwoDifferentKeysThenConflict() {
		assertThat(PresentedCredentials.read(List.of(KEY), List.of("Bearer " + OTHER_KEY)).kind())
			.isEqualTo(Kind.CONFLICT);
		assertThat(PresentedCredentials.read(List.of(KEY, OTHER_KEY), List.of()).kind()).isEqualTo(Kind.CONFLICT);
		assertThat(PresentedCredentials.read(List.of(KEY, AZURE_KEY), List.of()).kind()).isEqualTo(Kind.CONFLICT);
	}

	@Test
	void readWhenOldAzureKeyBesideABearerThenTheBearerDecides() {
		assertThat(PresentedCredentials.read(List.of(AZURE_KEY), List.of("Bearer " + JWT)).kind()).isEqualTo(Kind.NONE);
		assertThat(PresentedCredentials.read(List.of(AZURE_KEY), List.of("Bearer " + KEY))).isEqualTo(key(KEY));
	}

	@Test
	void readWhenOnlyAnApiKeyThatIsNoCallerKeyThenMalformed() {
		assertThat(PresentedCredentials.read(List.of(AZURE_KEY), List.of()).kind()).isEqualTo(Kind.MALFORMED);
		assertThat(PresentedCredentials.read(List.of(""), List.of()).kind()).isEqualTo(Kind.MALFORMED);
	}

	@Test
	void readWhenOnlyATokenOrNothingThenNone() {
		assertThat(PresentedCredentials.read(List.of(), List.of("Bearer " + JWT)).kind()).isEqualTo(Kind.NONE);
		assertThat(PresentedCredentials.read(List.of(), List.of()).kind()).isEqualTo(Kind.NONE);
		assertThat(PresentedCredentials.read(List.of(), List.of("Bearer")).kind()).isEqualTo(Kind.NONE);
	}

	@Test
	void readWhenMalformedKeyThenStillAKeyForTheCheckToRefuse() {
		assertThat(PresentedCredentials.read(List.of("aoai_short"), List.of())).isEqualTo(key("aoai_short"));
	}

	@Test
	void toStringWhenKeyThenNeverShowsIt() {
		assertThat(PresentedCredentials.read(List.of(KEY), List.of()).toString()).doesNotContain(KEY)
			.doesNotContain(KEY.substring(16));
	}

	private static PresentedCredentials key(String key) {
		return new PresentedCredentials(Kind.KEY, key);
	}

}
