package io.aoaigateway.simulator;

import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Uploads API: a large file sent in parts, then joined into a File that the Files API
 * serves. An upload is pending until it is completed or cancelled, and expires an hour
 * after it was created.
 *
 * @see <a href=
 * "https://learn.microsoft.com/azure/foundry/reference/rest/uploads-create-upload">Create
 * an upload</a>
 */
final class UploadsApi {

	private static final long HOUR = 3_600;

	private static final Set<String> PURPOSES = Set.of("assistants", "batch", "fine-tune", "vision");

	private final ResourceContext context;

	private final SimulatorState state;

	private final FilesApi files;

	UploadsApi(ResourceContext context, SimulatorState state, FilesApi files) {
		this.context = context;
		this.state = state;
		this.files = files;
	}

	// Each route answers on the v1 path, without an api-version, and on the dated one.
	void register(Routes routes) {
		for (String base : List.of("/openai/v1/uploads", "/openai/uploads")) {
			routes.post(base, this::create)
				.post(base + "/{upload}/parts", this::addPart)
				.post(base + "/{upload}/complete", this::complete)
				.post(base + "/{upload}/cancel", this::cancel);
		}
	}

	private Answer create(Call call) {
		ObjectNode body = call.json();
		String filename = required(body, "filename");
		String purpose = required(body, "purpose");
		required(body, "mime_type");
		JsonNode bytes = body.get("bytes");
		if (bytes == null || bytes.isNull()) {
			throw new Rejection(AzureErrors.badRequest("'bytes' is a required property."));
		}
		if (!bytes.isIntegralNumber() || bytes.longValue() < 0) {
			throw new Rejection(AzureErrors.badRequest("Invalid value for 'bytes': expected a non-negative integer."));
		}
		if (!PURPOSES.contains(purpose)) {
			throw new Rejection(AzureErrors.badRequest(
					"Invalid value for 'purpose': expected one of 'assistants', 'batch', 'fine-tune' or 'vision'."));
		}
		long now = this.context.now();
		ObjectNode upload = Nodes.object()
			.put("object", "upload")
			.put("id", Ids.alphanumeric("upload_", 24))
			.put("purpose", purpose)
			.put("filename", filename)
			.put("bytes", bytes.longValue())
			.put("created_at", now)
			.put("expires_at", now + HOUR)
			.put("status", "pending")
			.putNull("file");
		this.state.uploads.put(upload);
		return Answer.json(200, upload);
	}

	// The part is kept under the upload's lock, so it cannot slip in after a completion.
	private Answer addPart(Call call) {
		String uploadId = call.variable("upload");
		Multipart form = Multipart.parse(call.request().header("content-type"), call.request().body());
		Multipart.Part data = form.part("data");
		if (data == null) {
			throw new Rejection(AzureErrors.badRequest("'data' is a required property."));
		}
		ObjectNode part = Nodes.object()
			.put("object", "upload.part")
			.put("id", Ids.alphanumeric("part_", 24))
			.put("created_at", this.context.now())
			.put("upload_id", uploadId);
		ObjectNode upload = this.state.uploads.update(uploadId, (current) -> {
			requirePending(current);
			String partId = part.get("id").stringValue();
			this.state.uploadPartContents.put(partId, data.content());
			this.state.uploadParts.put(part);
			return current;
		});
		return (upload != null) ? Answer.json(200, part) : AzureErrors.notFound("upload", uploadId);
	}

	private Answer complete(Call call) {
		String uploadId = call.variable("upload");
		ObjectNode body = call.json();
		JsonNode partIds = body.get("part_ids");
		if (partIds == null || !partIds.isArray()) {
			throw new Rejection(AzureErrors.badRequest("'part_ids' is a required property."));
		}
		List<String> ordered = Nodes.texts(body, "part_ids");
		if (ordered.size() != partIds.size()) {
			throw new Rejection(AzureErrors.badRequest("Every entry of 'part_ids' must be a string."));
		}
		String md5 = Nodes.text(body, "md5");
		ObjectNode upload = this.state.uploads.update(uploadId, (current) -> completed(current, ordered, md5));
		return (upload != null) ? Answer.json(200, upload) : AzureErrors.notFound("upload", uploadId);
	}

	private ObjectNode completed(ObjectNode upload, List<String> partIds, @Nullable String md5) {
		requirePending(upload);
		String uploadId = upload.get("id").stringValue();
		ByteArrayOutputStream joined = new ByteArrayOutputStream();
		Set<String> seen = new HashSet<>();
		for (String partId : partIds) {
			ObjectNode part = this.state.uploadParts.get(partId);
			if (part == null) {
				throw new Rejection(AzureErrors.notFound("part", partId));
			}
			if (!uploadId.equals(part.path("upload_id").stringValue(""))) {
				throw new Rejection(
						AzureErrors.badRequest("Part '" + partId + "' does not belong to upload '" + uploadId + "'."));
			}
			if (!seen.add(partId)) {
				throw new Rejection(
						AzureErrors.badRequest("Part '" + partId + "' is listed more than once in 'part_ids'."));
			}
			joined.writeBytes(this.state.uploadPartContents.getOrDefault(partId, new byte[0]));
		}
		byte[] content = joined.toByteArray();
		long declared = upload.get("bytes").longValue();
		if (content.length != declared) {
			throw new Rejection(AzureErrors.badRequest("The parts hold " + content.length
					+ " bytes but the upload declared " + declared + " in 'bytes'."));
		}
		if (md5 != null && !md5.toLowerCase(Locale.ROOT).equals(md5Hex(content))) {
			throw new Rejection(
					AzureErrors.badRequest("The md5 checksum '" + md5 + "' does not match the uploaded bytes."));
		}
		ObjectNode file = this.files.store(upload.get("purpose").stringValue(), upload.get("filename").stringValue(),
				content);
		dropParts(uploadId);
		upload.put("status", "completed");
		upload.set("file", file);
		return upload;
	}

	private Answer cancel(Call call) {
		String uploadId = call.variable("upload");
		ObjectNode upload = this.state.uploads.update(uploadId, (current) -> {
			requirePending(current);
			dropParts(uploadId);
			return current.put("status", "cancelled");
		});
		return (upload != null) ? Answer.json(200, upload) : AzureErrors.notFound("upload", uploadId);
	}

	// Parts and their bytes are only needed while the upload is pending.
	private void dropParts(String uploadId) {
		for (ObjectNode part : this.state.uploadParts
			.list((part) -> uploadId.equals(part.path("upload_id").stringValue("")))) {
			String partId = part.get("id").stringValue();
			this.state.uploadParts.remove(partId);
			this.state.uploadPartContents.remove(partId);
		}
	}

	private void requirePending(ObjectNode upload) {
		String status = upload.get("status").stringValue();
		if (status.equals("pending") && this.context.now() >= upload.get("expires_at").longValue()) {
			status = "expired";
		}
		if (!status.equals("pending")) {
			throw new Rejection(AzureErrors
				.badRequest("Upload '" + upload.get("id").stringValue() + "' is " + status + ", not pending."));
		}
	}

	private static String required(ObjectNode body, String field) {
		String value = Nodes.text(body, field);
		if (value == null || value.isBlank()) {
			throw new Rejection(AzureErrors.badRequest("'" + field + "' is a required property."));
		}
		return value;
	}

	private static String md5Hex(byte[] content) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(content));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("MD5 is missing from this JVM", ex);
		}
	}

}
