package io.aoaigateway.simulator;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Random;

import tools.jackson.databind.node.ObjectNode;

/**
 * Whisper transcriptions and translations (multipart uploads) and text to speech (binary
 * answers).
 */
final class AudioApi {

	static final int SPEECH_BYTES = 16 * 1024;

	// 16 kHz, 16-bit mono: the duration a verbose_json answer reports for an upload.
	private static final double BYTES_PER_SECOND = 32_000;

	private final ResourceContext context;

	AudioApi(ResourceContext context) {
		this.context = context;
	}

	void register(Routes routes) {
		routes.post("/openai/deployments/{deployment}/audio/transcriptions", (call) -> audio(call, "transcribe"))
			.post("/openai/deployments/{deployment}/audio/translations", (call) -> audio(call, "translate"))
			.post("/openai/deployments/{deployment}/audio/speech", this::speech);
	}

	private Answer audio(Call call, String task) {
		String deployment = call.variable("deployment");
		this.context.requireDeployment(deployment);
		Multipart form = Multipart.parse(call.request().header("content-type"), call.request().body());
		Multipart.Part file = form.part("file");
		if (file == null) {
			throw new Rejection(AzureErrors.badRequest("'file' is a required property."));
		}
		int size = file.content().length;
		String text = "simulated " + (task.equals("transcribe") ? "transcription" : "translation") + " of " + size
				+ " bytes";
		double duration = Math.round(size / BYTES_PER_SECOND * 100) / 100.0;
		String format = form.text("response_format");
		Answer answer = switch ((format != null) ? format.trim().toLowerCase(Locale.ROOT) : "json") {
			case "json" -> Answer.json(200, Nodes.object().put("text", text));
			case "verbose_json" -> {
				ObjectNode verbose = Nodes.object()
					.put("task", task)
					.put("language", "english")
					.put("duration", duration)
					.put("text", text);
				verbose.putArray("segments");
				yield Answer.json(200, verbose);
			}
			case "text" -> Answer.text(200, text + "\n");
			case "srt" -> Answer.text(200, "1\n00:00:00,000 --> " + timestamp(duration, ',') + "\n" + text + "\n\n");
			case "vtt" ->
				Answer.text(200, "WEBVTT\n\n00:00:00.000 --> " + timestamp(duration, '.') + "\n" + text + "\n\n");
			default -> throw new Rejection(AzureErrors
				.badRequest("Invalid value for 'response_format': expected json, text, srt, verbose_json or vtt."));
		};
		return answer.withHeaders(this.context.charge(deployment, 0));
	}

	private Answer speech(Call call) {
		String deployment = call.variable("deployment");
		this.context.requireDeployment(deployment);
		ObjectNode body = call.json();
		String input = Nodes.text(body, "input");
		if (input == null || input.isEmpty()) {
			throw new Rejection(AzureErrors.badRequest("'input' is a required property."));
		}
		return Answer.bytes(200, "application/octet-stream", speech(input, Nodes.text(body, "voice", "alloy")))
			.withHeaders(this.context.charge(deployment, 0));
	}

	/**
	 * The simulated audio for a text: an ID3 header, then bytes derived from the text and
	 * the voice.
	 * @param input the text to speak
	 * @param voice the voice
	 * @return {@link #SPEECH_BYTES} bytes, always the same for the same input and voice
	 */
	static byte[] speech(String input, String voice) {
		byte[] audio = new byte[SPEECH_BYTES];
		new Random((input + "\u0000" + voice).hashCode()).nextBytes(audio);
		byte[] header = "ID3".getBytes(StandardCharsets.US_ASCII);
		System.arraycopy(header, 0, audio, 0, header.length);
		return audio;
	}

	private static String timestamp(double seconds, char separator) {
		long millis = Math.round(seconds * 1000);
		return String.format(Locale.ROOT, "%02d:%02d:%02d%c%03d", millis / 3_600_000, (millis / 60_000) % 60,
				(millis / 1000) % 60, separator, millis % 1000);
	}

}
