package io.aoaigateway.routing;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class ModelFieldTests {

	@Test
	void readWhenModelAtTopLevelThenFound() {
		assertThat(read("{\"messages\":[{\"model\":\"nested\"}],\"model\":\"gpt-4o\",\"n\":1}").value())
			.isEqualTo("gpt-4o");
	}

	@Test
	void readWhenOnlyNestedModelThenNone() {
		assertThat(read("{\"tools\":[{\"model\":\"x\"}],\"metadata\":{\"model\":\"y\"}}").value()).isNull();
	}

	@Test
	void readWhenModelNotAStringThenNone() {
		assertThat(read("{\"model\":42}").value()).isNull();
	}

	@Test
	void readWhenMalformedThenRejected() {
		assertThatIllegalArgumentException().isThrownBy(() -> read("{\"model\":\"gpt-4o\""))
			.withMessageContaining("not valid JSON");
		assertThatIllegalArgumentException().isThrownBy(() -> read("{\"model\":\"gpt-4o\"} trailing"))
			.withMessageContaining("not valid JSON");
		assertThatIllegalArgumentException().isThrownBy(() -> read("")).withMessageContaining("JSON object");
		assertThatIllegalArgumentException().isThrownBy(() -> read("\"gpt-4o\"")).withMessageContaining("JSON object");
	}

	@Test
	void replaceWhenAliasedThenOnlyModelChanges() {
		byte[] replaced = ModelField.replace(bytes("{\"model\":\"gpt-4o-mini\",\"stream\":true}"), "mini-eu");

		assertThat(new String(replaced, StandardCharsets.UTF_8)).isEqualTo("{\"model\":\"mini-eu\",\"stream\":true}");
	}

	private static ModelField read(String json) {
		return ModelField.read(bytes(json));
	}

	private static byte[] bytes(String json) {
		return json.getBytes(StandardCharsets.UTF_8);
	}

}
