package io.aoaigateway.quota;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.aoaigateway.state.RedisCalls;
import io.aoaigateway.state.StateStoreWarmUp;
import reactor.core.publisher.Mono;

import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * A {@link QuotaLedger} in Redis, shared by every replica. Each operation is one Lua
 * script, so one round trip, and Redis runs it atomically across all of the call's
 * windows: two replicas can never both take the last room in a window. A batch of settles
 * ({@link #settleAll}) is one script too. The scripts are sent by their SHA-1 (EVALSHA)
 * and only loaded when Redis does not know them yet.
 * <p>
 * Layout, for a window key {@code K} (with the prefix): a hash {@code K} with fields
 * {@code used} and {@code reserved}, in the window's unit (tokens, or cost in
 * micro-units), and a sorted set {@code K:r} of reservations, members
 * {@code <reservationId>:<amount>} (the amount in that window's unit) scored by their
 * expiry in epoch milliseconds. Every script first drops the reservations that expired. A
 * charge id's marker is {@code <prefix>charged:<id>}; a settled (or released)
 * reservation's marker is {@code <prefix>done:<id>}, which also keeps a late reserve of
 * that id from being added. Keys expire {@link #GRACE} after their window resets, so
 * Redis forgets ended windows by itself.
 * <p>
 * Time is always the caller's {@code now}, never Redis's clock; expiries are set relative
 * to it, except the charge and settle markers, which Redis expires on its own clock after
 * {@code remember}.
 * <p>
 * Every call ends within the timeout: a Redis that is down, slow or unreachable makes the
 * {@link Mono} fail (a {@link java.util.concurrent.TimeoutException} or a connection
 * error) and the caller applies its fail-open or fail-closed policy. A call that timed
 * out may still have been applied: a settle or charge may therefore be sent again (it
 * takes effect once), and a reserve whose answer was lost is released by settling its id
 * with 0 tokens.
 * <p>
 * Redis Cluster is not handled yet: there, all keys of one call must hash to one slot
 * (e.g. with a hash tag per caller), which the key layout does not ensure.
 */
public class RedisQuotaLedger implements QuotaLedger, StateStoreWarmUp {

	/**
	 * How long Redis keeps a window after it resets: a late settle of a call that started
	 * in it is still charged to it.
	 */
	static final Duration GRACE = Duration.ofMinutes(1);

	private static final RedisScript<String> RESERVE = script("reserve.lua");

	private static final RedisScript<String> SETTLE = script("settle.lua");

	private static final RedisScript<String> CHARGE_ONCE = script("charge-once.lua");

	private static final RedisScript<String> READ = script("read.lua");

	private static final RedisScript<String> SETTLE_ALL = script("settle-all.lua");

	private final ReactiveStringRedisTemplate redis;

	private final String keyPrefix;

	private final RedisCalls calls;

	/**
	 * Creates a ledger.
	 * @param redis the connection to Redis
	 * @param keyPrefix prefixes every key, e.g. {@code aoai:quota:}
	 * @param timeout how long one operation may take before its {@link Mono} fails
	 */
	public RedisQuotaLedger(ReactiveStringRedisTemplate redis, String keyPrefix, Duration timeout) {
		Arguments.requirePositive("timeout", timeout);
		this.redis = redis;
		this.keyPrefix = keyPrefix;
		this.calls = new RedisCalls(timeout);
	}

	/**
	 * Loads the scripts at start-up, so that the first calls are sent by their SHA-1
	 * (EVALSHA) and never pay for NOSCRIPT and a second round trip.
	 */
	@Override
	public Mono<Void> warmUp() {
		return this.calls.loadScripts(this.redis, RESERVE, SETTLE, CHARGE_ONCE, READ, SETTLE_ALL);
	}

	@Override
	public Mono<QuotaDecision> reserve(String reservationId, Amount amount, List<QuotaWindow> windows, Instant now,
			Duration reservationTtl) {
		Objects.requireNonNull(amount, "amount must not be null");
		Arguments.requirePositive("reservationTtl", reservationTtl);
		List<String> args = new ArrayList<>();
		args.add(millis(now));
		args.add(millis(now.plus(reservationTtl)));
		args.add(reservationId);
		for (QuotaWindow window : windows) {
			args.add(Long.toString(window.limit()));
			args.add(ttl(window, now));
			args.add(Long.toString(window.of(amount)));
		}
		List<String> keys = windowKeys(windows);
		keys.add(doneKey(reservationId));
		return run(RESERVE, keys, args).map((reply) -> {
			String[] fields = reply.split(" ");
			return new QuotaDecision("1".equals(fields[0]), states(windows, fields));
		});
	}

	@Override
	public Mono<Boolean> settle(String reservationId, Amount reserved, Amount used, List<QuotaWindow> windows,
			Instant now, Duration remember) {
		Objects.requireNonNull(reserved, "reserved must not be null");
		Objects.requireNonNull(used, "used must not be null");
		Arguments.requirePositive("remember", remember);
		List<String> keys = windowKeys(windows);
		keys.add(doneKey(reservationId));
		List<String> args = new ArrayList<>();
		args.add(millis(now));
		args.add(reservationId);
		args.add(Long.toString(remember.toMillis()));
		addAmounts(args, windows, reserved, used, now);
		return run(SETTLE, keys, args).map("1"::equals);
	}

	@Override
	public Mono<Boolean> chargeOnce(String chargeId, Amount used, List<QuotaWindow> windows, Instant now,
			Duration remember) {
		Objects.requireNonNull(used, "used must not be null");
		Arguments.requirePositive("remember", remember);
		List<String> keys = windowKeys(windows);
		keys.add(this.keyPrefix + "charged:" + chargeId);
		List<String> args = new ArrayList<>();
		args.add(millis(now));
		args.add(Long.toString(remember.toMillis()));
		addAmounts(args, windows, Amount.ZERO, used, now);
		return run(CHARGE_ONCE, keys, args).map("1"::equals);
	}

	/**
	 * {@inheritDoc}
	 * <p>
	 * Here all of them in one script call: one round trip, and Redis applies them in
	 * order, all together. A call that timed out may have applied them all (never only
	 * some), so the whole list may be sent again.
	 */
	@Override
	public Mono<List<Boolean>> settleAll(List<PendingCharge> charges) {
		if (charges.isEmpty()) {
			return Mono.just(List.of());
		}
		List<String> keys = new ArrayList<>();
		List<String> args = new ArrayList<>();
		args.add(Integer.toString(charges.size()));
		for (PendingCharge charge : charges) {
			List<QuotaWindow> windows = charge.windows();
			keys.addAll(windowKeys(windows));
			keys.add(charge.run() ? this.keyPrefix + "charged:" + charge.id() : doneKey(charge.id()));
			args.add(charge.run() ? "c" : "s");
			args.add(Integer.toString(windows.size()));
			args.add(millis(charge.at()));
			args.add(charge.run() ? "" : charge.id());
			args.add(Long.toString(charge.remember().toMillis()));
			addAmounts(args, windows, charge.reserved(), charge.used(), charge.at());
		}
		return run(SETTLE_ALL, keys, args).map((reply) -> {
			if (reply.length() != charges.size()) {
				throw new IllegalStateException(
						"The ledger answered " + reply.length() + " results for " + charges.size() + " writes");
			}
			List<Boolean> applied = new ArrayList<>(reply.length());
			for (int i = 0; i < reply.length(); i++) {
				applied.add(reply.charAt(i) == '1');
			}
			return List.copyOf(applied);
		});
	}

	// Per window: its TTL, and the reserved and used amounts in its unit.
	private static void addAmounts(List<String> args, List<QuotaWindow> windows, Amount reserved, Amount used,
			Instant now) {
		for (QuotaWindow window : windows) {
			args.add(ttl(window, now));
			args.add(Long.toString(window.of(reserved)));
			args.add(Long.toString(window.of(used)));
		}
	}

	@Override
	public Mono<List<WindowState>> read(List<QuotaWindow> windows, Instant now) {
		return run(READ, windowKeys(windows), List.of(millis(now))).map((reply) -> states(windows, reply.split(" ")));
	}

	private Mono<String> run(RedisScript<String> script, List<String> keys, List<String> args) {
		// single(): every script answers exactly one value.
		return this.calls.run(this.redis.execute(script, keys, args).single());
	}

	private String doneKey(String reservationId) {
		return this.keyPrefix + "done:" + reservationId;
	}

	private List<String> windowKeys(List<QuotaWindow> windows) {
		List<String> keys = new ArrayList<>(windows.size() * 2 + 1);
		for (QuotaWindow window : windows) {
			String key = this.keyPrefix + window.key();
			keys.add(key);
			keys.add(key + ":r");
		}
		return keys;
	}

	// The reply is "<admitted> <used1> <reserved1> <used2> <reserved2> ...".
	private static List<WindowState> states(List<QuotaWindow> windows, String[] fields) {
		List<WindowState> states = new ArrayList<>(windows.size());
		for (int i = 0; i < windows.size(); i++) {
			states.add(new WindowState(windows.get(i), Long.parseLong(fields[1 + 2 * i]),
					Long.parseLong(fields[2 + 2 * i])));
		}
		return List.copyOf(states);
	}

	private static String ttl(QuotaWindow window, Instant now) {
		return Long.toString(Duration.between(now, window.resetsAt().plus(GRACE)).toMillis());
	}

	private static String millis(Instant instant) {
		return Long.toString(instant.toEpochMilli());
	}

	private static RedisScript<String> script(String name) {
		return RedisScript.of(source("common.lua") + "\n" + source(name), String.class);
	}

	private static String source(String name) {
		try {
			return new ClassPathResource(name, RedisQuotaLedger.class).getContentAsString(StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot read the ledger script " + name, ex);
		}
	}

}
