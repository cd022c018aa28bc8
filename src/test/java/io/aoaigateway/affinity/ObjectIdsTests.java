package io.aoaigateway.affinity;

import java.nio.charset.StandardCharsets;

import io.aoaigateway.affinity.ObjectIds.PathObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ObjectIdsTests {

	@Test
	void inPathWhenObjectOrSubResourceThenFirstIdAndItsPath() {
		assertThat(ObjectIds.inPath("/openai/threads/thread_1/runs/run_2/steps"))
			.isEqualTo(new PathObject("/openai/threads/thread_1", "thread_1"));
		assertThat(ObjectIds.inPath("/openai/assistants/asst_1"))
			.isEqualTo(new PathObject("/openai/assistants/asst_1", "asst_1"));
		assertThat(ObjectIds.inPath("/openai/vector_stores/vs_1/file_batches"))
			.isEqualTo(new PathObject("/openai/vector_stores/vs_1", "vs_1"));
		assertThat(ObjectIds.inPath("/openai/files/file-1/content"))
			.isEqualTo(new PathObject("/openai/files/file-1", "file-1"));
		assertThat(ObjectIds.inPath("/openai/batches/batch_1/cancel"))
			.isEqualTo(new PathObject("/openai/batches/batch_1", "batch_1"));
		assertThat(ObjectIds.inPath("/openai/operations/images/9a1b"))
			.isEqualTo(new PathObject("/openai/operations/images/9a1b", "9a1b"));
		assertThat(ObjectIds.inPath("/openai/responses/resp_1"))
			.isEqualTo(new PathObject("/openai/responses/resp_1", "resp_1"));
		assertThat(ObjectIds.inPath("/openai/v1/responses/resp_1/input_items"))
			.isEqualTo(new PathObject("/openai/v1/responses/resp_1", "resp_1"));
	}

	@Test
	void inPathWhenCollectionThenNone() {
		assertThat(ObjectIds.inPath("/openai/threads")).isNull();
		assertThat(ObjectIds.inPath("/openai/threads/runs")).isNull();
		assertThat(ObjectIds.inPath("/openai/assistants")).isNull();
		assertThat(ObjectIds.inPath("/openai/v1/responses")).isNull();
		assertThat(ObjectIds.inPath("/openai/images/generations:submit")).isNull();
		assertThat(ObjectIds.inPath("/openai/deployments/gpt-4o/chat/completions")).isNull();
	}

}
