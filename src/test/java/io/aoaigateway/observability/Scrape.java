package io.aoaigateway.observability;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Prometheus text scrape, read for the values of series.
 */
final class Scrape {

	private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

	private final String text;

	Scrape(String text) {
		this.text = text;
	}

	/**
	 * The sum of every series of a metric whose labels include the given ones.
	 * @param name the metric name, e.g. {@code aoai_gateway_requests_total}
	 * @param labels labels the series must have
	 * @return the sum, 0 when no series matches
	 */
	double value(String name, Map<String, String> labels) {
		double sum = 0;
		for (String line : this.text.split("\n")) {
			if (line.startsWith("#") || !(line.startsWith(name + "{") || line.startsWith(name + " "))) {
				continue;
			}
			int space = line.lastIndexOf(' ');
			String series = line.substring(0, space);
			if (labels(series).entrySet().containsAll(labels.entrySet())) {
				sum += Double.parseDouble(line.substring(space + 1));
			}
		}
		return sum;
	}

	double delta(Scrape before, String name, Map<String, String> labels) {
		return value(name, labels) - before.value(name, labels);
	}

	boolean has(String name) {
		for (String line : this.text.split("\n")) {
			if (!line.startsWith("#") && (line.startsWith(name + "{") || line.startsWith(name + " "))) {
				return true;
			}
		}
		return false;
	}

	private static Map<String, String> labels(String series) {
		Map<String, String> labels = new LinkedHashMap<>();
		int open = series.indexOf('{');
		if (open < 0) {
			return labels;
		}
		Matcher matcher = LABEL.matcher(series.substring(open));
		while (matcher.find()) {
			labels.put(matcher.group(1), matcher.group(2));
		}
		return labels;
	}

}
