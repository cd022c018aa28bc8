package io.aoaigateway.affinity;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.aoaigateway.routing.Backend;

/**
 * Each caller's stable order of the stateful backends, the first being their home
 * backend: rendezvous (highest random weight) hashing, so adding or removing a backend
 * changes the home of that backend's callers only, and every replica computes the same
 * order without sharing anything.
 * <p>
 * A caller's weight on a backend is the 64-bit FNV-1a hash of the UTF-8 bytes of the
 * caller's id, a zero byte and the backend's name, passed through MurmurHash3's
 * {@code fmix64} finalizer (FNV alone mixes its last bytes poorly); the highest weight,
 * read as an unsigned number, comes first. Both are fixed arithmetic on fixed bytes: the
 * same on every JVM and every replica.
 *
 * @see <a href="https://datatracker.ietf.org/doc/html/draft-eastlake-fnv">FNV</a>
 * @see <a href="https://github.com/aappleby/smhasher/wiki/MurmurHash3">MurmurHash3</a>
 */
final class HomeOrder {

	private static final long FNV_OFFSET_BASIS = 0xcbf29ce484222325L;

	private static final long FNV_PRIME = 0x100000001b3L;

	private final List<Backend> backends;

	private final byte[][] names;

	HomeOrder(List<Backend> backends) {
		if (backends.isEmpty()) {
			throw new IllegalArgumentException("Stateful APIs need at least one backend");
		}
		this.backends = List.copyOf(backends);
		this.names = this.backends.stream()
			.map((backend) -> backend.name().getBytes(StandardCharsets.UTF_8))
			.toArray(byte[][]::new);
	}

	/**
	 * @return the stateful backends, in the pool's order
	 */
	List<Backend> backends() {
		return this.backends;
	}

	/**
	 * A caller's order of the backends.
	 * @param callerId the caller's stable id
	 * @return every backend once, the caller's home backend first
	 */
	List<Backend> of(String callerId) {
		int count = this.backends.size();
		if (count == 1) {
			return this.backends;
		}
		long caller = callerState(callerId);
		long[] weights = new long[count];
		Backend[] order = new Backend[count];
		// Insertion sort, heaviest first: a pool holds a handful of backends. Equal
		// weights keep the pool's order.
		for (int i = 0; i < count; i++) {
			long weight = fmix64(fnv1a(caller, this.names[i]));
			int at = i;
			while (at > 0 && Long.compareUnsigned(weights[at - 1], weight) < 0) {
				weights[at] = weights[at - 1];
				order[at] = order[at - 1];
				at--;
			}
			weights[at] = weight;
			order[at] = this.backends.get(i);
		}
		return List.of(order);
	}

	/**
	 * A caller's weight on one backend.
	 * @param callerId the caller's id
	 * @param backend the backend's name
	 * @return the weight; the heaviest backend is the caller's home
	 */
	static long weight(String callerId, String backend) {
		return fmix64(fnv1a(callerState(callerId), backend.getBytes(StandardCharsets.UTF_8)));
	}

	/**
	 * The 64-bit FNV-1a hash of some bytes.
	 * @param bytes the bytes
	 * @return their hash
	 */
	static long fnv1a(byte[] bytes) {
		return fnv1a(FNV_OFFSET_BASIS, bytes);
	}

	// The hash of the caller's part, "<caller id>\0", from which each backend's weight
	// goes on.
	private static long callerState(String callerId) {
		return fnv1a(fnv1a(FNV_OFFSET_BASIS, callerId.getBytes(StandardCharsets.UTF_8)), (byte) 0);
	}

	private static long fnv1a(long state, byte[] bytes) {
		long hash = state;
		for (byte b : bytes) {
			hash = fnv1a(hash, b);
		}
		return hash;
	}

	private static long fnv1a(long state, byte b) {
		return (state ^ (b & 0xff)) * FNV_PRIME;
	}

	private static long fmix64(long value) {
		long k = value;
		k ^= k >>> 33;
		k *= 0xff51afd7ed558ccdL;
		k ^= k >>> 33;
		k *= 0xc4ceb9fe1a85ec53L;
		k ^= k >>> 33;
		return k;
	}

}
