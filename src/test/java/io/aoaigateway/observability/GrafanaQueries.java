package io.aoaigateway.observability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every PromQL query of the Grafana dashboards under {@code observability/dashboards},
 * with Grafana's variables replaced the way Grafana replaces them when every variable is
 * at "All", so that Prometheus can run them as they are:
 * <ul>
 * <li>a query variable with "Include All" becomes its "custom all value" ({@code .*} in
 * ours, which each such variable must have); it must be used only as the whole value of a
 * regex matcher ({@code =~"$job"}), where {@code .*} means every value, which is why a
 * use anywhere else is an error;</li>
 * <li>{@code $__rate_interval}, {@code $__interval} and {@code $__range} become one
 * window given by the caller. Grafana derives them from the panel's width and time range;
 * a test gives the span of its whole run, so that a query sees all of the test's traffic
 * whenever it is evaluated.</li>
 * </ul>
 * Anything else that looks like a variable is an error.
 */
final class GrafanaQueries {

	static final Path DASHBOARDS = Path.of("observability", "dashboards");

	private static final JsonMapper JSON = JsonMapper.shared();

	private static final Pattern VARIABLE = Pattern.compile("\\$\\{?([A-Za-z_][A-Za-z0-9_]*)\\}?");

	private static final Pattern LABEL_VALUES = Pattern
		.compile("^\\s*label_values\\((.*),\\s*([a-zA-Z_]\\w*)\\s*\\)\\s*$");

	private static final List<String> WINDOWS = List.of("__rate_interval", "__interval", "__range");

	private GrafanaQueries() {
	}

	/**
	 * One expression of a panel's target.
	 *
	 * @param dashboard the dashboard's file name
	 * @param panel the panel's title
	 * @param refId the target's reference
	 * @param expr the expression as written, with its variables
	 */
	record PanelQuery(String dashboard, String panel, String refId, String expr) {

		@Override
		public String toString() {
			return this.dashboard + " / '" + this.panel + "' (" + this.refId + "): " + this.expr;
		}

	}

	/**
	 * A variable whose values come from {@code label_values(selector, label)}.
	 *
	 * @param dashboard the dashboard's file name
	 * @param name the variable's name
	 * @param selector the series selector, with its variables
	 * @param label the label whose values it offers
	 */
	record VariableQuery(String dashboard, String name, String selector, String label) {

		@Override
		public String toString() {
			return this.dashboard + " / variable " + this.name + ": label_values(" + this.selector + ", " + this.label
					+ ")";
		}

	}

	/**
	 * One dashboard's queries and the values its variables take at "All".
	 *
	 * @param file the dashboard's file name
	 * @param panels the panels' queries
	 * @param variables the variables' queries
	 * @param allValues each variable's value at "All"
	 */
	record Dashboard(String file, List<PanelQuery> panels, List<VariableQuery> variables,
			Map<String, String> allValues) {

		/**
		 * @param expr an expression of this dashboard
		 * @param window what {@code $__rate_interval}, {@code $__interval} and
		 * {@code $__range} become, e.g. {@code 40s}
		 * @return the expression as Grafana sends it with every variable at "All"
		 */
		String substitute(String expr, String window) {
			return GrafanaQueries.substitute(expr, this.allValues, window);
		}

	}

	static List<Dashboard> dashboards() throws IOException {
		List<Dashboard> dashboards = new ArrayList<>();
		try (Stream<Path> files = Files.list(DASHBOARDS)) {
			for (Path file : files.filter((path) -> path.toString().endsWith(".json")).sorted().toList()) {
				dashboards.add(read(file));
			}
		}
		return dashboards;
	}

	static Dashboard read(Path file) throws IOException {
		String name = file.getFileName().toString();
		JsonNode dashboard = JSON.readTree(Files.readString(file));
		List<PanelQuery> panels = new ArrayList<>();
		for (JsonNode panel : panels(dashboard)) {
			for (JsonNode target : panel.path("targets")) {
				panels.add(new PanelQuery(name, panel.path("title").asString(), target.path("refId").asString(),
						target.path("expr").asString()));
			}
		}
		List<VariableQuery> variables = new ArrayList<>();
		Map<String, String> allValues = new LinkedHashMap<>();
		for (JsonNode variable : dashboard.path("templating").path("list")) {
			if (!"query".equals(variable.path("type").asString())) {
				continue;
			}
			String variableName = variable.path("name").asString();
			if (variable.path("includeAll").asBoolean(false)) {
				// Without a custom all value Grafana sends every value it knows, (a|b|c).
				String allValue = variable.path("allValue").asString("");
				if (allValue.isEmpty()) {
					throw new IllegalArgumentException(name + ": variable " + variableName + " has no allValue");
				}
				allValues.put(variableName, allValue);
			}
			JsonNode query = variable.path("query");
			String text = query.isObject() ? query.path("query").asString() : query.asString();
			Matcher labelValues = LABEL_VALUES.matcher(text);
			if (!labelValues.matches()) {
				throw new IllegalArgumentException(
						name + ": variable " + variableName + " is not label_values: " + text);
			}
			variables.add(new VariableQuery(name, variableName, labelValues.group(1).trim(), labelValues.group(2)));
		}
		return new Dashboard(name, panels, variables, allValues);
	}

	static String substitute(String expr, Map<String, String> allValues, String window) {
		StringBuilder result = new StringBuilder();
		Matcher variable = VARIABLE.matcher(expr);
		while (variable.find()) {
			String name = variable.group(1);
			String value;
			if (WINDOWS.contains(name)) {
				value = window;
			}
			else if (allValues.containsKey(name)) {
				if (!inRegexMatcher(expr, variable.start(), variable.end())) {
					throw new IllegalArgumentException("$" + name + " is used outside a =~\"...\" matcher: " + expr);
				}
				value = allValues.get(name);
			}
			else {
				throw new IllegalArgumentException("Unknown variable $" + name + " in " + expr);
			}
			variable.appendReplacement(result, Matcher.quoteReplacement(value));
		}
		variable.appendTail(result);
		return result.toString();
	}

	// The whole quoted value of a regex matcher: =~"$job", spaces allowed around =~.
	private static boolean inRegexMatcher(String expr, int start, int end) {
		return expr.substring(0, start).matches("(?s).*=~\\s*\"") && expr.startsWith("\"", end);
	}

	/**
	 * @param dashboard a dashboard
	 * @return its panels, with those inside collapsed rows
	 */
	static List<JsonNode> panels(JsonNode dashboard) {
		List<JsonNode> panels = new ArrayList<>();
		for (JsonNode panel : dashboard.path("panels")) {
			panels.add(panel);
			panel.path("panels").forEach(panels::add);
		}
		return panels;
	}

}
