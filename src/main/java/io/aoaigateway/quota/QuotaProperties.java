package io.aoaigateway.quota;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Token quotas and money budgets per caller. A call is admitted only if every policy that
 * applies to its caller has room for the call's estimate (and for its worst-case cost, at
 * the prices of {@code aoai.pricing}); the estimate is then replaced by the real usage.
 *
 * @param policies the limits; none means no quota
 * @param defaultMaxOutputTokens output tokens reserved for a call that sets no
 * {@code max_tokens} / {@code max_completion_tokens} / {@code max_output_tokens}
 * @param reservationTtl how long a reservation counts if its call never settles (a
 * replica that died mid-call, or one whose charge was lost from its journal). A call that
 * runs longer is still charged in full when it ends; only its reservation stops holding
 * room early. The default covers the failover time budget (60 s) plus a stream of the
 * default output estimate at a slow model's pace
 * @param journal the journal of charges waiting for the shared store
 * @param settleBatch how the charges of calls that end close together are written to the
 * shared store together
 * @param stampUser whether to set the request's {@code user} field to a pseudonymous id
 * of the caller, where the API accepts it, so that Azure's abuse monitoring can tell
 * callers apart without learning who they are
 * @param pseudonymKey secret mixed into the pseudonymous id (HMAC); without it the id is
 * a plain hash, which anyone who knows a caller's object id can recompute
 */
@Validated
@ConfigurationProperties("aoai.quota")
public record QuotaProperties(@DefaultValue List<@Valid @NotNull Policy> policies,
		@DefaultValue("4096") @Positive int defaultMaxOutputTokens, @DefaultValue("5m") Duration reservationTtl,
		@DefaultValue @Valid Journal journal, @DefaultValue @Valid SettleBatch settleBatch,
		@DefaultValue("true") boolean stampUser, @Nullable String pseudonymKey,
		@DefaultValue @Valid Settlement settlement) {

	@AssertTrue(message = "aoai.quota.policies[*].name must be unique")
	public boolean isPolicyNamesUnique() {
		Set<String> seen = new HashSet<>();
		return this.policies.stream().allMatch((policy) -> seen.add(policy.name()));
	}

	@AssertTrue(message = "aoai.quota.reservation-ttl must be positive")
	public boolean isReservationTtlPositive() {
		return !this.reservationTtl.isNegative() && !this.reservationTtl.isZero();
	}

	/**
	 * Charges (settles, releases, run charges) that could not be written to the shared
	 * store wait in memory and are replayed as soon as it answers.
	 *
	 * @param maxEntries the most charges that may wait; past it new ones are dropped (and
	 * counted), which loses their usage
	 * @param flushTimeout how long a graceful shutdown waits for waiting charges to be
	 * written; what is still waiting then is lost
	 */
	public record Journal(@DefaultValue("10000") @Positive int maxEntries, @DefaultValue("10s") Duration flushTimeout) {

	}

	/**
	 * Settles, releases and run charges go to a shared store (Redis) in batches, one
	 * round trip for all the calls that ended within {@code maxDelay} of the batch's
	 * first, rather than one each. A settle that waits leaves its call's reservation
	 * counted that much longer. The in-memory store writes each charge at once.
	 *
	 * @param maxSize the most charges written in one round trip (and one script run,
	 * during which Redis serves nothing else)
	 * @param maxDelay the longest a charge waits for others before its batch is written
	 */
	public record SettleBatch(@DefaultValue("64") @Positive int maxSize, @DefaultValue("5ms") Duration maxDelay) {

		@AssertTrue(message = "aoai.quota.settle-batch.max-delay must not be negative")
		public boolean isMaxDelayNotNegative() {
			return !this.maxDelay.isNegative();
		}

	}

	/**
	 * Background responses and Assistants runs are charged once they end, whether or not
	 * their caller fetches them: the gateway reads each one on its backend, first after
	 * {@code firstRead}, then with the delay doubling up to {@code maxBackoff}, until it
	 * has ended or {@code giveUpAfter} has passed since it was admitted. With Redis, the
	 * replicas share the work: one reads an object at a time, holding it for
	 * {@code lease}, and another takes it over if that one stops.
	 *
	 * @param firstRead the delay before the first read
	 * @param maxBackoff the longest delay between two reads
	 * @param giveUpAfter how long after admission the gateway stops reading an object
	 * that has not ended (it is then not charged, and counted)
	 * @param interval how often each replica looks for objects that are due
	 * @param lease how long a replica holds the objects it reads; longer than a read
	 * @param readTimeout the longest one read may take
	 */
	public record Settlement(@DefaultValue("2s") Duration firstRead, @DefaultValue("1m") Duration maxBackoff,
			@DefaultValue("24h") Duration giveUpAfter, @DefaultValue("1s") Duration interval,
			@DefaultValue("1m") Duration lease, @DefaultValue("10s") Duration readTimeout) {

		@AssertTrue(message = "aoai.quota.settlement durations must be positive, and the lease longer than a read")
		public boolean isConsistent() {
			return Stream
				.of(this.firstRead, this.maxBackoff, this.giveUpAfter, this.interval, this.lease, this.readTimeout)
				.allMatch((duration) -> !duration.isNegative() && !duration.isZero())
					&& this.lease.compareTo(this.readTimeout) > 0;
		}

	}

	/**
	 * One limit on tokens, on cost, or both.
	 *
	 * @param name names the policy in answers and in the quota endpoint
	 * @param scope whom the limit counts: each user, each app, or all members of a group,
	 * holders of a role or calls of a priority class together
	 * @param subject for {@code user} and {@code app}: the object id or client id it is
	 * for, or empty for the default of everyone without an own policy; for {@code group},
	 * {@code role} and {@code class}: the group object id, role name or priority class
	 * name (required)
	 * @param deployment only calls to this deployment count, or empty for all calls
	 * @param tokensPerMinute tokens per minute (UTC clock minutes)
	 * @param tokensPerDay tokens per day (UTC)
	 * @param tokensPerMonth tokens per calendar month (UTC)
	 * @param costPerDay cost per day (UTC), in {@code aoai.pricing.currency} units
	 * @param costPerMonth cost per calendar month (UTC), in {@code aoai.pricing.currency}
	 * units
	 */
	public record Policy(@NotBlank @Pattern(regexp = "[A-Za-z0-9._-]+") String name, @NotNull Scope scope,
			@Nullable String subject, @Nullable String deployment, @Nullable @Positive Long tokensPerMinute,
			@Nullable @Positive Long tokensPerDay, @Nullable @Positive Long tokensPerMonth,
			@Nullable @Positive BigDecimal costPerDay, @Nullable @Positive BigDecimal costPerMonth) {

		@AssertTrue(message = "a policy needs at least one of tokens-per-minute, tokens-per-day, tokens-per-month, "
				+ "cost-per-day, cost-per-month")
		public boolean isLimited() {
			return this.tokensPerMinute != null || this.tokensPerDay != null || this.tokensPerMonth != null
					|| limitsCost();
		}

		@AssertTrue(message = "a group, role or class policy needs a subject: the group id, role name or class name")
		public boolean isSubjectGivenWhenShared() {
			return (this.scope != Scope.GROUP && this.scope != Scope.ROLE && this.scope != Scope.CLASS)
					|| hasText(this.subject);
		}

		/**
		 * @return whether the policy limits cost
		 */
		public boolean limitsCost() {
			return this.costPerDay != null || this.costPerMonth != null;
		}

		boolean isDefault() {
			return !hasText(this.subject);
		}

		private static boolean hasText(@Nullable String value) {
			return value != null && !value.isBlank();
		}

	}

	/** Whom a policy counts. */
	public enum Scope {

		/** Each user (Entra object id) on their own. */
		USER,

		/** Each calling application (client id) on its own. */
		APP,

		/** All members of one group together. */
		GROUP,

		/** All holders of one app role together. */
		ROLE,

		/**
		 * All calls of one priority class together (the class the priority package gave
		 * the call; never applies when priorities are off).
		 */
		CLASS

	}

}
