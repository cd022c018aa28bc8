package io.aoaigateway.helm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The values files shown in the chart's README: every {@code yaml} code block, named by
 * the heading it sits under, so that tests render what users copy.
 */
final class ChartReadmeFixtures {

	static final Path README = Path.of("helm", "aoai-gateway", "README.md");

	private ChartReadmeFixtures() {
	}

	/**
	 * @return each {@code yaml} block of the README, in order
	 */
	static List<ValuesExample> valuesExamples() {
		List<String> lines;
		try {
			lines = Files.readAllLines(README);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		List<ValuesExample> examples = new ArrayList<>();
		String heading = "";
		boolean fenced = false;
		StringBuilder block = null;
		for (String line : lines) {
			if (fenced) {
				if (line.equals("```")) {
					if (block != null) {
						examples.add(new ValuesExample(heading + " #" + (countUnder(examples, heading) + 1), heading,
								block.toString()));
					}
					fenced = false;
					block = null;
				}
				else if (block != null) {
					block.append(line).append('\n');
				}
			}
			else if (line.startsWith("```")) {
				fenced = true;
				block = line.equals("```yaml") ? new StringBuilder() : null;
			}
			else if (line.startsWith("#")) {
				heading = line.replaceFirst("^#+\\s*", "");
			}
		}
		return examples;
	}

	private static long countUnder(List<ValuesExample> examples, String heading) {
		return examples.stream().filter((example) -> example.heading().equals(heading)).count();
	}

	/**
	 * One values file from the README.
	 *
	 * @param name the heading and the block's place under it, e.g. {@code Install #1}
	 * @param heading the heading the block sits under
	 * @param yaml the block's text
	 */
	record ValuesExample(String name, String heading, String yaml) {

		Path writeTo(Path directory) throws IOException {
			return Files.writeString(Files.createTempFile(directory, "readme-values-", ".yaml"), this.yaml);
		}

		@Override
		public String toString() {
			return this.name;
		}

	}

}
