package io.aoaigateway.quota;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RequestAmendmentsTests {

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

	private static String amend(String body, String user, boolean includeUsage) {
		byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
		return new String(RequestAmendments.amend(bytes, RequestFacts.read(bytes), user, includeUsage),
				StandardCharsets.UTF_8);
	}

}
