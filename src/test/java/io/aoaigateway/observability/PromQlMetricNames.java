package io.aoaigateway.observability;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression reads, found by a small scanner rather than a full
 * parser: it skips strings, label matchers in {@code {}}, ranges in {@code []}, Grafana
 * variables, numbers and durations, the label lists of {@code by}, {@code without},
 * {@code on}, {@code ignoring}, {@code group_left} and {@code group_right}, and every
 * function, aggregation and keyword. What is left is a metric name, and so is the value
 * of an exact {@code __name__="..."} matcher. An identifier followed by {@code (} that is
 * not a known function is an error, so a misspelt function cannot pass for a metric.
 */
final class PromQlMetricNames {

	private static final Set<String> FUNCTIONS = Set.of("abs", "absent", "absent_over_time", "acos", "acosh", "asin",
			"asinh", "atan", "atanh", "avg_over_time", "ceil", "changes", "clamp", "clamp_max", "clamp_min", "cos",
			"cosh", "count_over_time", "day_of_month", "day_of_week", "day_of_year", "days_in_month", "deg", "delta",
			"deriv", "double_exponential_smoothing", "exp", "floor", "histogram_avg", "histogram_count",
			"histogram_fraction", "histogram_quantile", "histogram_stddev", "histogram_stdvar", "histogram_sum",
			"holt_winters", "hour", "idelta", "increase", "info", "irate", "label_join", "label_replace",
			"last_over_time", "ln", "log10", "log2", "mad_over_time", "max_over_time", "min_over_time", "minute",
			"month", "pi", "predict_linear", "present_over_time", "quantile_over_time", "rad", "rate", "resets",
			"round", "scalar", "sgn", "sin", "sinh", "sort", "sort_by_label", "sort_by_label_desc", "sort_desc", "sqrt",
			"stddev_over_time", "stdvar_over_time", "sum_over_time", "tan", "tanh", "time", "timestamp", "vector",
			"year", "start", "end",
			// aggregation operators
			"sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk",
			"quantile", "limitk", "limit_ratio");

	private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "atan2", "inf", "nan");

	private static final Pattern NAME_MATCHER = Pattern.compile("__name__\\s*=\\s*\"([a-zA-Z_:][a-zA-Z0-9_:]*)\"");

	private static final Set<String> LABEL_LISTS = Set.of("by", "without", "on", "ignoring", "group_left",
			"group_right");

	private final String expr;

	private int position;

	private PromQlMetricNames(String expr) {
		this.expr = expr;
	}

	/**
	 * The metric names in a PromQL expression, in order of first appearance.
	 * @param expr the expression, possibly with Grafana variables such as
	 * {@code $__rate_interval}
	 * @return the metric names
	 * @throws IllegalArgumentException if the expression calls an unknown function or
	 * leaves a string, matcher or range open
	 */
	static Set<String> in(String expr) {
		return new PromQlMetricNames(expr).scan();
	}

	private Set<String> scan() {
		Set<String> names = new LinkedHashSet<>();
		while (this.position < this.expr.length()) {
			char c = this.expr.charAt(this.position);
			if (c == '"' || c == '\'' || c == '`') {
				skipString(c);
			}
			else if (c == '{') {
				int start = this.position;
				skipTo('}');
				Matcher byName = NAME_MATCHER.matcher(this.expr.substring(start, this.position));
				if (byName.find()) {
					names.add(byName.group(1));
				}
			}
			else if (c == '[') {
				skipTo(']');
			}
			else if (c == '$') {
				skipVariable();
			}
			else if (c == '#') {
				skipComment();
			}
			else if (isDigit(c) || (c == '.' && isDigit(peek(1)))) {
				skipNumber();
			}
			else if (isIdentifierStart(c)) {
				String identifier = identifier();
				classify(identifier, names);
			}
			else {
				this.position++;
			}
		}
		return names;
	}

	private void classify(String identifier, Set<String> names) {
		String lower = identifier.toLowerCase(Locale.ROOT);
		if (LABEL_LISTS.contains(lower)) {
			if (nextNonSpace() == '(') {
				skipTo(')');
			}
			return;
		}
		if (FUNCTIONS.contains(lower) || KEYWORDS.contains(lower)) {
			return;
		}
		if (nextNonSpace() == '(') {
			throw new IllegalArgumentException("Unknown function '" + identifier + "' in: " + this.expr);
		}
		names.add(identifier);
	}

	private String identifier() {
		int start = this.position;
		while (this.position < this.expr.length() && isIdentifierPart(this.expr.charAt(this.position))) {
			this.position++;
		}
		return this.expr.substring(start, this.position);
	}

	private char nextNonSpace() {
		while (this.position < this.expr.length() && Character.isWhitespace(this.expr.charAt(this.position))) {
			this.position++;
		}
		return (this.position < this.expr.length()) ? this.expr.charAt(this.position) : 0;
	}

	private void skipString(char quote) {
		int start = this.position++;
		while (this.position < this.expr.length()) {
			char c = this.expr.charAt(this.position++);
			if (c == '\\' && quote != '`') {
				this.position++;
			}
			else if (c == quote) {
				return;
			}
		}
		throw new IllegalArgumentException("Unterminated string at " + start + " in: " + this.expr);
	}

	/**
	 * Skips from an opening bracket to its closing one, passing over strings inside, so
	 * that {@code {status=~"5.."}} or {@code {le="+Inf"}} cannot end it early.
	 */
	private void skipTo(char close) {
		int start = this.position++;
		while (this.position < this.expr.length()) {
			char c = this.expr.charAt(this.position);
			if (c == close) {
				this.position++;
				return;
			}
			if (c == '"' || c == '\'' || c == '`') {
				skipString(c);
			}
			else {
				this.position++;
			}
		}
		throw new IllegalArgumentException("Missing '" + close + "' for position " + start + " in: " + this.expr);
	}

	private void skipVariable() {
		this.position++;
		if (peek(0) == '{') {
			skipTo('}');
		}
		else {
			identifier();
		}
	}

	private void skipComment() {
		while (this.position < this.expr.length() && this.expr.charAt(this.position) != '\n') {
			this.position++;
		}
	}

	private void skipNumber() {
		while (this.position < this.expr.length()) {
			char c = this.expr.charAt(this.position);
			boolean exponentSign = (c == '+' || c == '-') && isExponent(this.expr.charAt(this.position - 1));
			if (!isIdentifierPart(c) && c != '.' && !exponentSign) {
				return;
			}
			this.position++;
		}
	}

	private boolean isExponent(char previous) {
		return (previous == 'e' || previous == 'E') && this.position >= 2
				&& isDigit(this.expr.charAt(this.position - 2));
	}

	private char peek(int offset) {
		int at = this.position + offset;
		return (at < this.expr.length()) ? this.expr.charAt(at) : 0;
	}

	private static boolean isDigit(char c) {
		return c >= '0' && c <= '9';
	}

	private static boolean isIdentifierStart(char c) {
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
	}

	private static boolean isIdentifierPart(char c) {
		return isIdentifierStart(c) || isDigit(c);
	}

}
