package io.aoaigateway.routing;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RequestBodiesTests {

	@Test
	void amendWhenMembersAbsentThenPrependedAndClientBytesKept() {
		String body = "{ \"messages\" : [ {\"role\":\"user\",\"content\":\"caf\\u00e9\"} ], \"stream\" : true }";

		String amended = amend(body, "gw-x", true);

		assertThat(amended).isEqualTo("{\"user\":\"gw-x\",\"stream_options\":{\"include_usage\":true}"
				+ ", \"messages\" : [ {\"role\":\"user\",\"content\":\"caf\\u00e9\"} ], \"stream\" : true }");
	}

	@Test
	void amendWhenClientSetUserThenReplaced() {
		String amended = amend("{\"user\":\"alice@contoso.com\",\"messages\":[]}", "gw-x", false);

		assertThat(amended).isEqualTo("{\"user\":\"gw-x\",\"messages\":[]}");
	}

	@Test
	void amendWhenStreamOptionsPresentThenIncludeUsageAddedToThem() {
		String amended = amend("{\"stream\":true,\"stream_options\":{\"include_usage\":false,\"x\":1}}", null, true);

		assertThat(amended).isEqualTo("{\"stream\":true,\"stream_options\":{\"include_usage\":true,\"x\":1}}");
	}

	@Test
	void amendWhenObjectEmptyThenNoDanglingComma() {
		assertThat(amend(" { } ", "gw-x", false)).isEqualTo(" {\"user\":\"gw-x\" } ");
	}

	@Test
	void amendWhenBodyIsNotAnObjectThenUnchanged() {
		assertThat(amend("[1,2]", "gw-x", true)).isEqualTo("[1,2]");
		assertThat(amend("{\"broken\":", "gw-x", true)).isEqualTo("{\"broken\":");
	}

	@Test
	void replaceModelWhenAliasedThenOnlyTheValueChangesWhereItStands() {
		String body = "{ \"stream\":true, \"model\" : \"gpt-4o-mini\", \"messages\":[{\"model\":\"x\"}] }";
		byte[] bytes = body.getBytes(StandardCharsets.UTF_8);

		byte[] replaced = RequestBodies.replaceModel(bytes, RequestFacts.read(bytes), "mini-\"eu\u00e9");

		assertThat(new String(replaced, StandardCharsets.UTF_8))
			.isEqualTo("{ \"stream\":true, \"model\" : \"mini-\\\"eu\u00e9\", \"messages\":[{\"model\":\"x\"}] }");
		assertThat(RequestFacts.read(replaced).model()).isEqualTo("mini-\"eu\u00e9");
	}

	@Test
	void replaceModelWhenBodyHasMultiByteTextBeforeTheModelThenOffsetsAreBytes() {
		String body = "{\"messages\":[{\"content\":\"\u65e5\u672c\u8a9e \ud83d\ude00\"}],\"model\":\"a\"}";
		byte[] bytes = body.getBytes(StandardCharsets.UTF_8);

		byte[] replaced = RequestBodies.replaceModel(bytes, RequestFacts.read(bytes), "bcd");

		assertThat(new String(replaced, StandardCharsets.UTF_8))
			.isEqualTo("{\"messages\":[{\"content\":\"\u65e5\u672c\u8a9e \ud83d\ude00\"}],\"model\":\"bcd\"}");
	}

	private static String amend(String body, String user, boolean includeUsage) {
		byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
		return new String(RequestBodies.amend(bytes, RequestFacts.read(bytes), new BodyAmendment(user, includeUsage)),
				StandardCharsets.UTF_8);
	}

}
