package io.aoaigateway.priority;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.context.properties.bind.Name;
import org.springframework.validation.annotation.Validated;

/**
 * Priority classes. Without classes every call is treated alike: none is refused to keep
 * room for another, none waits for capacity.
 *
 * @param classes the classes, highest first
 * @param defaultClass the class of a caller no rule names; the lowest class when unset
 * @param rules which callers a class is for; the first rule that matches a caller gives
 * the highest class the caller may use
 * @param header the request header in which a caller may ask for a lower class than its
 * own (e.g. an interactive app's background job); a higher one is not granted
 * @param releaseJitter when a deployment can serve again, each replica waits a random
 * time up to this long before it sends its waiting calls, so that replicas do not all
 * send theirs at the same instant
 * @param capacityWindow the time in which a deployment's capacity refills completely
 * after it reported none left: Azure's limits are per minute
 */
@Validated
@ConfigurationProperties("aoai.priority")
public record PriorityProperties(@DefaultValue List<@Valid @NotNull PriorityClassSpec> classes,
		@Nullable String defaultClass, @DefaultValue List<@Valid @NotNull Rule> rules,
		@DefaultValue("x-aoai-priority") @NotBlank @Pattern(regexp = "[A-Za-z0-9-]+") String header,
		@DefaultValue("250ms") Duration releaseJitter, @DefaultValue("60s") Duration capacityWindow) {

	@AssertTrue(message = "aoai.priority.classes[*].name must be unique")
	public boolean isClassNamesUnique() {
		Set<String> seen = new HashSet<>();
		return this.classes.stream().allMatch((spec) -> seen.add(spec.name()));
	}

	@AssertTrue(message = "aoai.priority.default-class and every rule's class must name one of aoai.priority.classes")
	public boolean isClassesKnown() {
		Set<String> names = new HashSet<>();
		this.classes.forEach((spec) -> names.add(spec.name()));
		return (this.defaultClass == null || names.contains(this.defaultClass))
				&& this.rules.stream().allMatch((rule) -> names.contains(rule.className()));
	}

	@AssertTrue(message = "aoai.priority.classes: the reserved shares of all classes above the lowest must add up "
			+ "to less than 100, and the lowest class reserves nothing (there is nobody below it to keep room from)")
	public boolean isSharesConsistent() {
		if (this.classes.isEmpty()) {
			return true;
		}
		int sum = 0;
		for (int i = 0; i < this.classes.size() - 1; i++) {
			sum += this.classes.get(i).reservedShare();
		}
		return sum < 100 && this.classes.get(this.classes.size() - 1).reservedShare() == 0;
	}

	@AssertTrue(message = "aoai.priority.release-jitter must not be negative and capacity-window must be positive")
	public boolean isDurationsValid() {
		return !this.releaseJitter.isNegative() && !this.capacityWindow.isNegative() && !this.capacityWindow.isZero();
	}

	/**
	 * One class.
	 *
	 * @param name names the class in the header, metrics, usage records and quota
	 * policies
	 * @param reservedShare percent of each deployment's capacity that only this class and
	 * the classes above it may use: the classes below are refused (or wait) once less
	 * than this, plus what the classes above reserve, is left
	 * @param maxWait the longest a call of this class waits for capacity instead of being
	 * refused with 429, counted from its arrival; 0 never waits
	 * @param maxQueued the most calls of this class waiting at once on one replica
	 * @param maxQueuedPerCaller the most calls of one caller of this class waiting at
	 * once on one replica, so that one caller cannot take the whole queue
	 */
	public record PriorityClassSpec(@NotBlank @Pattern(regexp = "[A-Za-z0-9._-]+") String name,
			@DefaultValue("0") @Min(0) @Max(99) int reservedShare, @DefaultValue("0s") Duration maxWait,
			@DefaultValue("100") @Positive int maxQueued, @DefaultValue("10") @Positive int maxQueuedPerCaller) {

		@AssertTrue(message = "max-wait must not be negative")
		public boolean isMaxWaitValid() {
			return this.maxWait == null || !this.maxWait.isNegative();
		}

	}

	/**
	 * Callers of a class: those with any of the roles, any of the groups, or one of the
	 * apps.
	 *
	 * @param className the class
	 * @param roles app roles ({@code roles} claim, or a caller key's roles)
	 * @param groups group object ids ({@code groups} claim)
	 * @param apps client ids ({@code azp} / {@code appid}), or caller key app names
	 */
	public record Rule(@Name("class") @NotBlank String className, @DefaultValue List<String> roles,
			@DefaultValue List<String> groups, @DefaultValue List<String> apps) {

		@AssertTrue(message = "a priority rule needs at least one role, group or app")
		public boolean isSelective() {
			return !this.roles.isEmpty() || !this.groups.isEmpty() || !this.apps.isEmpty();
		}

	}

}
