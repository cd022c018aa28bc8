package io.aoaigateway.routing;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RequestFactsTests {

	@Test
	void readWhenChatBodyThenEveryFactInOnePass() {
		RequestFacts facts = read("""
				{"messages":[{"role":"user","content":"hi","model":"nested"}],"model":"gpt-4o","stream":true,
				"stream_options":{"include_usage":true},"user":"u","max_tokens":10,"max_completion_tokens":20,
				"n":3,"best_of":2}""");

		assertThat(facts.valid()).isTrue();
		assertThat(facts.model()).isEqualTo("gpt-4o");
		assertThat(facts.stream()).isTrue();
		assertThat(facts.streamOptions()).isTrue();
		assertThat(facts.includeUsage()).isTrue();
		assertThat(facts.user()).isTrue();
		assertThat(facts.maxOutputTokens()).isEqualTo(20);
		assertThat(facts.choices()).isEqualTo(3);
		assertThat(facts.references()).isEmpty();
	}

	@Test
	void readWhenOnlyNestedModelThenNone() {
		assertThat(read("{\"tools\":[{\"model\":\"x\"}],\"metadata\":{\"model\":\"y\"}}").model()).isNull();
	}

	@Test
	void readWhenModelNotAStringThenNoneAndNoSpan() {
		RequestFacts facts = read("{\"model\":42}");

		assertThat(facts.model()).isNull();
		assertThat(facts.modelStart()).isEqualTo(-1);
	}

	@Test
	void readWhenModelThenItsSpanCoversTheQuotedValue() {
		String body = "{ \"model\" :  \"gpt-4o\" }";
		RequestFacts facts = read(body);

		assertThat(body.substring(facts.modelStart(), facts.modelEnd())).isEqualTo("\"gpt-4o\"");
	}

	@Test
	void readWhenMalformedThenInvalidWithTheReason() {
		assertThat(read("{\"model\":\"gpt-4o\"").problem()).contains("not valid JSON");
		assertThat(read("{\"model\":\"gpt-4o\"} trailing").problem()).contains("not valid JSON");
		assertThat(read("").problem()).contains("JSON object");
		assertThat(read("\"gpt-4o\"").problem()).contains("JSON object");
		assertThat(read("{\"model\":\"gpt-4o\"").stream()).isFalse();
	}

	@Test
	void readWhenReferencesAnywhereThenAllInOrder() {
		RequestFacts facts = read("""
				{"assistant_id":"asst_1","thread":{"messages":[{"role":"user","content":"x",
				"attachments":[{"file_id":"file-1"}]}]},
				"tool_resources":{"file_search":{"vector_store_ids":["vs_1","vs_2"]},
				"code_interpreter":{"file_ids":["file-2"]}},"previous_response_id":"resp_1"}""");

		assertThat(facts.references()).containsExactly("asst_1", "file-1", "vs_1", "vs_2", "file-2", "resp_1");
	}

	@Test
	void readWhenConversationAsStringOrObjectThenItsIdIsAReference() {
		assertThat(read("{\"model\":\"gpt-4o\",\"conversation\":\"conv_1\",\"input\":\"Hi\"}").references())
			.containsExactly("conv_1");
		assertThat(read("""
				{"conversation":{"metadata":{"id":"not-this"},"id":"conv_2","extra":[1,2]},"input":"Hi"}""")
			.references()).containsExactly("conv_2");
		assertThat(read("{\"conversation\":{\"id\":42}}").references()).isEmpty();
	}

	@Test
	void readWhenInputItemsHaveIdsOrCallIdsThenEachIsAReferenceAndOtherIdsAreNot() {
		RequestFacts facts = read("""
				{"model":"o4","store":false,"include":["reasoning.encrypted_content"],
				"tools":[{"type":"function","id":"not-a-reference","name":"f"}],
				"input":[{"role":"user","content":[{"type":"input_file","file_id":"file-1"},{"id":"nor-this"}]},
				{"type":"reasoning","id":"rs_1","encrypted_content":"gAAA","summary":[]},
				{"type":"item_reference","id":"msg_2"},
				{"type":"function_call","id":"fc_3","call_id":"call_3","arguments":"{}"},
				{"type":"function_call_output","call_id":"call_3","output":"42"}, "text", 7, {"id":9}],
				"metadata":{"id":"nor-this-one"}}""");

		assertThat(facts.references()).containsExactly("file-1", "rs_1", "msg_2", "fc_3", "call_3");
		assertThat(read("{\"input\":\"Hi\",\"id\":\"x\"}").references()).isEmpty();
	}

	@Test
	void readWhenBodyNamesVeryManyIdsThenTheFirstFewHundredAreKept() {
		StringBuilder body = new StringBuilder("{\"input\":[");
		for (int index = 0; index < 10_000; index++) {
			body.append((index > 0) ? "," : "")
				.append("{\"type\":\"item_reference\",\"id\":\"msg_")
				.append(index)
				.append("\"}");
		}
		RequestFacts facts = read(body.append("]}").toString());

		assertThat(facts.valid()).isTrue();
		assertThat(facts.references()).hasSize(RequestFacts.MAX_REFERENCES).startsWith("msg_0").endsWith("msg_255");
	}

	@Test
	void readWhenReferencesMalformedOrNotStringsThenNone() {
		assertThat(read("{\"assistant_id\":").references()).isEmpty();
		assertThat(read("{\"assistant_id\":42,\"file_ids\":[1,\"\",{\"a\":1}]}").references()).isEmpty();
	}

	@Test
	void readWhenReferencesDeeperThanTheLimitThenIgnored() {
		String deep = "{\"a\":".repeat(20) + "{\"file_id\":\"file-deep\"}" + "}".repeat(20);

		RequestFacts facts = read("{\"x\":" + deep + ",\"thread_id\":\"thread_1\"}");

		assertThat(facts.valid()).isTrue();
		assertThat(facts.references()).containsExactly("thread_1");
	}

	@Test
	void readWhenCountsAreNotPositiveIntegersThenIgnored() {
		RequestFacts facts = read("{\"max_tokens\":-1,\"max_output_tokens\":\"10\",\"n\":0}");

		assertThat(facts.maxOutputTokens()).isNull();
		assertThat(facts.choices()).isEqualTo(1);
	}

	private static RequestFacts read(String json) {
		return RequestFacts.read(json.getBytes(StandardCharsets.UTF_8));
	}

}
