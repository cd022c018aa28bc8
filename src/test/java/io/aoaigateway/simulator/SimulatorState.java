package io.aoaigateway.simulator;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Everything the simulated resource stores between calls: Assistants objects, vector
 * stores, files, batches, responses and image operations.
 */
final class SimulatorState {

	final ObjectTable assistants = new ObjectTable();

	final ObjectTable threads = new ObjectTable();

	final ObjectTable messages = new ObjectTable();

	final ObjectTable runs = new ObjectTable();

	final ObjectTable steps = new ObjectTable();

	final ObjectTable vectorStores = new ObjectTable();

	final ObjectTable vectorStoreFiles = new ObjectTable();

	final ObjectTable fileBatches = new ObjectTable();

	final Map<String, List<String>> fileBatchFiles = new ConcurrentHashMap<>();

	final ObjectTable files = new ObjectTable();

	final Map<String, byte[]> fileContents = new ConcurrentHashMap<>();

	final ObjectTable batches = new ObjectTable();

	final ObjectTable responses = new ObjectTable();

	final ObjectTable conversations = new ObjectTable();

	final ObjectTable conversationItems = new ObjectTable();

	final ObjectTable imageOperations = new ObjectTable();

	final ResponseRecords responseRecords = new ResponseRecords();

	void clear() {
		List.of(this.assistants, this.threads, this.messages, this.runs, this.steps, this.vectorStores,
				this.vectorStoreFiles, this.fileBatches, this.files, this.batches, this.responses, this.conversations,
				this.conversationItems, this.imageOperations)
			.forEach(ObjectTable::clear);
		this.fileContents.clear();
		this.fileBatchFiles.clear();
		this.responseRecords.clear();
		this.uploads.clear();
		this.uploadParts.clear();
		this.uploadPartContents.clear();
	}

	/**
	 * @param id a file id from a path or a body
	 * @throws Rejection with a 404 when no such file was uploaded
	 */
	void requireFile(String id) {
		if (!this.files.contains(id)) {
			throw new Rejection(AzureErrors.notFound("file", id));
		}
	}

	void requireVectorStore(String id) {
		if (!this.vectorStores.contains(id)) {
			throw new Rejection(AzureErrors.notFound("vector store", id));
		}
	}

	// Uploads (UploadsApi): the upload objects, their parts (each names its upload_id)
	// and the parts' bytes by part id, dropped once the upload completes or is cancelled.

	final ObjectTable uploads = new ObjectTable();

	final ObjectTable uploadParts = new ObjectTable();

	final Map<String, byte[]> uploadPartContents = new ConcurrentHashMap<>();

}
