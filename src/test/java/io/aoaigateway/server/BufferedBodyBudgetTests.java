package io.aoaigateway.server;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BufferedBodyBudgetTests {

	private static final long CAPACITY = 128 * 1024;

	private static final long SMALL = CAPACITY / 128;

	private final BufferedBodyBudget budget = new BufferedBodyBudget(CAPACITY);

	@Test
	void coverWhenGrowingThenTakesOnlyTheDifference() {
		BufferedBodyBudget.Lease lease = this.budget.open();

		assertThat(lease.cover(100)).isTrue();
		assertThat(lease.cover(250)).isTrue();
		assertThat(lease.cover(200)).isTrue();

		assertThat(lease.held()).isEqualTo(250);
		assertThat(this.budget.used()).isEqualTo(250);
	}

	@Test
	void coverWhenLargeBodiesFillThreeQuartersThenRefusedButSmallOnesStillFit() {
		BufferedBodyBudget.Lease large = this.budget.open();
		assertThat(large.cover(CAPACITY * 3 / 4)).isTrue();
		BufferedBodyBudget.Lease another = this.budget.open();

		boolean anotherLarge = another.cover(SMALL + 1);
		boolean small = this.budget.open().cover(SMALL);

		assertThat(anotherLarge).isFalse();
		assertThat(another.held()).isZero();
		assertThat(small).isTrue();
		assertThat(this.budget.used()).isEqualTo(CAPACITY * 3 / 4 + SMALL);
	}

	@Test
	void coverWhenFullThenRefusedAndLeaseKeepsWhatItHeld() {
		BufferedBodyBudget.Lease lease = this.budget.open();
		for (long held = SMALL; held <= SMALL * 96; held += SMALL) {
			this.budget.open().cover(SMALL);
		}
		assertThat(lease.cover(SMALL / 2)).isTrue();

		boolean more = lease.cover(SMALL * 2);

		assertThat(more).isFalse();
		assertThat(lease.held()).isEqualTo(SMALL / 2);
	}

	@Test
	void wouldFitWhenRoomThenTrueWithoutTakingAnything() {
		BufferedBodyBudget.Lease lease = this.budget.open();

		assertThat(lease.wouldFit(CAPACITY * 3 / 4)).isTrue();
		assertThat(lease.wouldFit(CAPACITY * 3 / 4 + 1)).isFalse();
		assertThat(this.budget.used()).isZero();
	}

	@Test
	void releaseWhenCalledTwiceThenGivesBackOnce() {
		BufferedBodyBudget.Lease lease = this.budget.open();
		lease.cover(300);
		this.budget.open().cover(200);

		lease.release();
		lease.release();

		assertThat(this.budget.used()).isEqualTo(200);
		assertThat(lease.cover(10)).isFalse();
	}

	@Test
	void coverAndReleaseWhenConcurrentThenBudgetReturnsToZero() throws Exception {
		int threads = 8;
		ExecutorService executor = Executors.newFixedThreadPool(threads);
		CyclicBarrier start = new CyclicBarrier(threads);
		List<Future<?>> done = new ArrayList<>();
		for (int t = 0; t < threads; t++) {
			done.add(executor.submit(() -> {
				start.await();
				for (int i = 0; i < 2_000; i++) {
					BufferedBodyBudget.Lease lease = this.budget.open();
					for (long size = 64; size <= 4096; size *= 4) {
						lease.cover(size);
						assertThat(this.budget.used()).isLessThanOrEqualTo(CAPACITY);
					}
					lease.release();
				}
				return null;
			}));
		}
		for (Future<?> future : done) {
			future.get(60, TimeUnit.SECONDS);
		}
		executor.shutdown();

		assertThat(this.budget.used()).isZero();
	}

}
