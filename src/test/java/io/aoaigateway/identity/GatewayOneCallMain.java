package io.aoaigateway.identity;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import io.aoaigateway.AoaiGatewayApplication;
import io.aoaigateway.Eventually;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starts the whole gateway with the given arguments, waits until it is ready, makes one
 * chat call through it with the caller token in {@code CALLER_TOKEN}, and prints
 * {@code status=} (or {@code error=}). Run by {@link ChildJvm}, for what only a process
 * of its own can have: a managed identity's environment.
 */
public final class GatewayOneCallMain {

	private static final Duration READY_WITHIN = Duration.ofSeconds(60);

	private GatewayOneCallMain() {
	}

	/**
	 * @param args the gateway's arguments ({@code --name=value})
	 */
	public static void main(String[] args) {
		int status = 0;
		try (ConfigurableApplicationContext context = SpringApplication.run(AoaiGatewayApplication.class, args)) {
			int port = ((WebServerApplicationContext) context).getWebServer().getPort();
			HttpClient client = HttpClient.newHttpClient();
			HttpRequest readiness = HttpRequest
				.newBuilder(URI.create("http://localhost:" + port + "/actuator/health/readiness"))
				.build();
			Eventually.eventually(() -> send(client, readiness), (ready) -> ready == 200, READY_WITHIN);
			int answer = send(client, HttpRequest
				.newBuilder(URI.create("http://localhost:" + port
						+ "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21"))
				.header("Authorization", "Bearer " + System.getenv("CALLER_TOKEN"))
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString("{\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}"))
				.build());
			System.out.println("status=" + answer);
		}
		catch (RuntimeException | AssertionError ex) {
			System.out.println("error=" + ex);
			status = 1;
		}
		System.exit(status);
	}

	private static int send(HttpClient client, HttpRequest request) {
		try {
			return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
		}
		catch (java.io.IOException ex) {
			return 0;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return 0;
		}
	}

}
