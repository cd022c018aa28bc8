package io.aoaigateway.keys;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.aoaigateway.auth.CallerIdentity;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * {@link CallerKey}: a record is valid or refused whole, maps to one caller per app, and
 * never prints its salt or hash.
 */
class CallerKeyTests {

	@Test
	void callerWhenTwoKeysOfOneAppThenTheSameCallerIdAndApp() {
		IssuedCallerKey first = CallerKeyFixtures.issue("batch-jobs", "first", null, List.of("Batch"));
		IssuedCallerKey second = CallerKeyFixtures.issue("batch-jobs", "second", null, List.of("Batch"));

		CallerIdentity one = first.record().caller();
		CallerIdentity two = second.record().caller();

		assertThat(one.id()).isEqualTo(two.id()).isEqualTo("caller-key:batch-jobs");
		assertThat(one.appId()).isEqualTo(two.appId()).isEqualTo("batch-jobs");
		assertThat(one.tenantId()).isNull();
		assertThat(one.roles()).containsExactly("Batch");
		assertThat(one.name()).isEqualTo("first");
		assertThat(one.subject()).isEqualTo(first.record().keyId());
	}

	@Test
	void expiredWhenAtOrAfterExpiryThenTrue() {
		Instant expiry = Instant.parse("2030-01-01T00:00:00Z");
		CallerKey key = CallerKeyFixtures.issue("app", "k", expiry, List.of()).record();

		assertThat(key.expired(expiry.minusMillis(1))).isFalse();
		assertThat(key.expired(expiry)).isTrue();
		assertThat(key.withExpiresAt(null).expired(expiry.plus(Duration.ofDays(3650)))).isFalse();
	}

	@Test
	void toStringWhenPrintedThenShowsThePrefixButNoSaltHashOrKey() {
		IssuedCallerKey issued = CallerKeyFixtures.issue("app", "k");

		assertThat(issued.record().toString()).contains(issued.record().prefix())
			.doesNotContain(issued.record().salt())
			.doesNotContain(issued.record().hash());
		assertThat(issued.toString()).doesNotContain(issued.key()).doesNotContain(issued.key().substring(16));
	}

	@Test
	void constructorWhenFieldInvalidThenRefusedWithoutQuotingTheValue() {
		CallerKey valid = CallerKeyFixtures.issue("app", "k").record();

		assertThatIllegalArgumentException()
			.isThrownBy(() -> copy(valid, "ABC", valid.app(), valid.name(), valid.salt(), valid.hash()))
			.withMessageContaining("keyId");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> copy(valid, valid.keyId(), "-leading-dash", valid.name(), valid.salt(), valid.hash()))
			.withMessageContaining("app");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> copy(valid, valid.keyId(), "a".repeat(65), valid.name(), valid.salt(), valid.hash()));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> copy(valid, valid.keyId(), valid.app(), "line\nbreak", valid.salt(), valid.hash()))
			.withMessageContaining("name");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> copy(valid, valid.keyId(), valid.app(), valid.name(), "c2hvcnQ", valid.hash()))
			.withMessageContaining("salt")
			.withMessageNotContaining("c2hvcnQ");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> copy(valid, valid.keyId(), valid.app(), valid.name(), valid.salt(), valid.salt()))
			.withMessageContaining("hash")
			.withMessageNotContaining(valid.salt());
	}

	@Test
	void constructorWhenRolesOrGroupsMissingThenEmpty() {
		CallerKey valid = CallerKeyFixtures.issue("app", "k").record();

		CallerKey bare = new CallerKey(valid.keyId(), valid.name(), valid.app(), valid.owner(), valid.createdAt(), null,
				null, null, valid.salt(), valid.hash());

		assertThat(bare.roles()).isEmpty();
		assertThat(bare.groups()).isEmpty();
	}

	private static CallerKey copy(CallerKey valid, String keyId, String app, String name, String salt, String hash) {
		return new CallerKey(keyId, name, app, valid.owner(), valid.createdAt(), valid.expiresAt(), valid.roles(),
				valid.groups(), salt, hash);
	}

}
