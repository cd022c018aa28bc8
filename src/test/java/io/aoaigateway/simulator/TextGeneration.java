package io.aoaigateway.simulator;

import java.util.ArrayList;
import java.util.List;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The simulated model: deterministic words, token estimates and content filter
 * annotations.
 */
final class TextGeneration {

	/** Text that, anywhere in a prompt, makes the content filter block it. */
	static final String CONTENT_FILTER_TRIGGER = "[[content-filter]]";

	private static final List<String> VOCABULARY = List.of("This", "is", "a", "simulated", "answer", "from", "the",
			"Azure", "OpenAI", "resource");

	private TextGeneration() {
	}

	/**
	 * The words of an answer, always the same for the same count.
	 * @param count how many words
	 * @param resource the simulated resource's name, which ends each run of the
	 * vocabulary
	 * @return the words; joined with spaces they form the answer
	 */
	static List<String> words(int count, String resource) {
		List<String> words = new ArrayList<>(count);
		for (int i = 0; i < count; i++) {
			int position = i % (VOCABULARY.size() + 1);
			words.add((position < VOCABULARY.size()) ? VOCABULARY.get(position) : resource + ".");
		}
		return words;
	}

	/**
	 * The words as streamed deltas: every word after the first starts with a space.
	 * @param words the words
	 * @return the deltas; concatenated they form the answer
	 */
	static List<String> deltas(List<String> words) {
		List<String> deltas = new ArrayList<>(words.size());
		for (int i = 0; i < words.size(); i++) {
			deltas.add((i == 0) ? words.get(i) : " " + words.get(i));
		}
		return deltas;
	}

	/**
	 * A tokenizer-free estimate: one token per four characters, rounded up.
	 * @param text the text
	 * @return the estimated tokens
	 */
	static int tokens(String text) {
		return (text.length() + 3) / 4;
	}

	/**
	 * The text of a message {@code content}, either a string or an array of parts.
	 * @param content the content node
	 * @return its text parts joined
	 */
	static String text(JsonNode content) {
		if (content.isString()) {
			return content.stringValue();
		}
		StringBuilder text = new StringBuilder();
		if (content.isArray()) {
			for (JsonNode part : content) {
				if (part.isString()) {
					text.append(part.stringValue());
				}
				else if (part.path("text").isString()) {
					text.append(part.path("text").stringValue());
				}
				else if (part.path("text").path("value").isString()) {
					text.append(part.path("text").path("value").stringValue());
				}
			}
		}
		return text.toString();
	}

	static boolean triggersContentFilter(String text) {
		return text.contains(CONTENT_FILTER_TRIGGER);
	}

	/**
	 * The top-level {@code prompt_filter_results} of chat and completions answers.
	 * @return the array with one result for prompt 0
	 */
	static ArrayNode promptFilterResults() {
		ArrayNode results = Nodes.array();
		ObjectNode result = results.addObject().put("prompt_index", 0);
		ObjectNode filters = severities(result.putObject("content_filter_results"));
		filters.putObject("jailbreak").put("filtered", false).put("detected", false);
		return results;
	}

	/**
	 * The {@code content_filter_results} of one generated choice.
	 * @return the results
	 */
	static ObjectNode choiceFilterResults() {
		ObjectNode filters = severities(Nodes.object());
		filters.putObject("protected_material_code").put("filtered", false).put("detected", false);
		filters.putObject("protected_material_text").put("filtered", false).put("detected", false);
		return filters;
	}

	/**
	 * The {@code prompt_filter_results} object of an image answer (not an array there).
	 * @return the results
	 */
	static ObjectNode imagePromptFilterResults() {
		ObjectNode filters = severities(Nodes.object());
		filters.putObject("custom_blocklists").put("filtered", false).putArray("details");
		filters.putObject("jailbreak").put("filtered", false).put("detected", false);
		filters.putObject("profanity").put("filtered", false).put("detected", false);
		return filters;
	}

	static ObjectNode severities(ObjectNode filters) {
		for (String category : List.of("hate", "self_harm", "sexual", "violence")) {
			filters.putObject(category).put("filtered", false).put("severity", "safe");
		}
		return filters;
	}

	/**
	 * The {@code usage} of chat and completions answers.
	 * @param prompt prompt tokens
	 * @param completion completion tokens
	 * @return the usage object
	 */
	static ObjectNode usage(int prompt, int completion) {
		ObjectNode usage = Nodes.object()
			.put("prompt_tokens", prompt)
			.put("completion_tokens", completion)
			.put("total_tokens", prompt + completion);
		usage.putObject("prompt_tokens_details").put("cached_tokens", 0);
		usage.putObject("completion_tokens_details").put("reasoning_tokens", 0);
		return usage;
	}

}
