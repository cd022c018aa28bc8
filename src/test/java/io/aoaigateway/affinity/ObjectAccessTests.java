package io.aoaigateway.affinity;

import io.aoaigateway.affinity.AffinityProperties.Sharing;
import io.aoaigateway.auth.CallerIdentity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static io.aoaigateway.affinity.AffinityFixtures.caller;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Who reaches an object under each {@code aoai.affinity.sharing} mode.
 */
class ObjectAccessTests {

	private static final ObjectOwner ALICES = new ObjectOwner("sim-a", "alice", "app-1");

	private static final ObjectOwner ALICES_WITHOUT_APP = new ObjectOwner("sim-a", "alice", null);

	private static final CallerIdentity ALICE = caller("alice", "app-1");

	private static final CallerIdentity BOB_SAME_APP = caller("bob", "app-1");

	private static final CallerIdentity EVE_OTHER_APP = caller("eve", "app-2");

	private static final CallerIdentity BOB_WITHOUT_APP = caller("bob", null);

	@ParameterizedTest
	@EnumSource(Sharing.class)
	void mayReachWhenCallerCreatedItThenTrueInEveryMode(Sharing sharing) {
		ObjectAccess access = new ObjectAccess(sharing);

		assertThat(access.mayReach(ALICE, ALICES)).isTrue();
		assertThat(access.mayReach(caller("alice", null), ALICES)).isTrue();
		assertThat(access.mayReach(caller("alice", "app-2"), ALICES_WITHOUT_APP)).isTrue();
	}

	@Test
	void mayReachWhenSharingCallerAndAnotherCallerOfTheSameAppThenFalse() {
		ObjectAccess access = new ObjectAccess(Sharing.CALLER);

		assertThat(access.mayReach(BOB_SAME_APP, ALICES)).isFalse();
		assertThat(access.mayReach(EVE_OTHER_APP, ALICES)).isFalse();
	}

	@Test
	void mayReachWhenSharingAppAndAnotherCallerOfTheSameAppThenTrue() {
		ObjectAccess access = new ObjectAccess(Sharing.APP);

		assertThat(access.mayReach(BOB_SAME_APP, ALICES)).isTrue();
	}

	@Test
	void mayReachWhenSharingAppAndAnotherCallerOfAnotherAppThenFalse() {
		ObjectAccess access = new ObjectAccess(Sharing.APP);

		assertThat(access.mayReach(EVE_OTHER_APP, ALICES)).isFalse();
	}

	@Test
	void mayReachWhenSharingAppAndTheCallerHasNoAppThenFalse() {
		ObjectAccess access = new ObjectAccess(Sharing.APP);

		assertThat(access.mayReach(BOB_WITHOUT_APP, ALICES)).isFalse();
	}

	@Test
	void mayReachWhenSharingAppAndTheOwnerHasNoAppThenFalseEvenForACallerWithoutApp() {
		ObjectAccess access = new ObjectAccess(Sharing.APP);

		assertThat(access.mayReach(BOB_SAME_APP, ALICES_WITHOUT_APP)).isFalse();
		assertThat(access.mayReach(BOB_WITHOUT_APP, ALICES_WITHOUT_APP)).isFalse();
	}

	@Test
	void mayReachWhenSharingNoneThenAnyoneWithOrWithoutApp() {
		ObjectAccess access = new ObjectAccess(Sharing.NONE);

		assertThat(access.mayReach(BOB_SAME_APP, ALICES)).isTrue();
		assertThat(access.mayReach(EVE_OTHER_APP, ALICES)).isTrue();
		assertThat(access.mayReach(BOB_WITHOUT_APP, ALICES)).isTrue();
		assertThat(access.mayReach(BOB_WITHOUT_APP, ALICES_WITHOUT_APP)).isTrue();
	}

}
