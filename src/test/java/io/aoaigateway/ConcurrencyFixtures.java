package io.aoaigateway;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Runs a task on many threads at once, for tests of what must hold under concurrency.
 */
public final class ConcurrencyFixtures {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private ConcurrencyFixtures() {
	}

	/**
	 * Runs a task on that many threads, all released together, and collects the answers.
	 * @param <T> what the task answers
	 * @param threads how many runs at once
	 * @param task the task, told which run it is
	 * @return the answers, in run order
	 * @throws Exception when a run fails or takes longer than ten seconds
	 */
	public static <T> List<T> concurrently(int threads, IndexedTask<T> task) throws Exception {
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		try {
			CountDownLatch start = new CountDownLatch(1);
			List<Future<T>> futures = new ArrayList<>();
			for (int i = 0; i < threads; i++) {
				int index = i;
				futures.add(pool.submit(() -> {
					start.await();
					return task.call(index);
				}));
			}
			start.countDown();
			List<T> results = new ArrayList<>();
			for (Future<T> future : futures) {
				results.add(future.get(WAIT.toSeconds(), TimeUnit.SECONDS));
			}
			return results;
		}
		finally {
			pool.shutdownNow();
		}
	}

	/**
	 * A task that knows which of the concurrent runs it is.
	 *
	 * @param <T> what it answers
	 */
	@FunctionalInterface
	public interface IndexedTask<T> {

		/**
		 * @param index which run this is, from 0
		 * @return the answer
		 * @throws Exception when the run fails
		 */
		T call(int index) throws Exception;

	}

}
