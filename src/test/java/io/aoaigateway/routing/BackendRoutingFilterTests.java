package io.aoaigateway.routing;

import java.net.URI;
import java.util.List;

import io.aoaigateway.routing.RouteTarget.DeploymentSource;
import org.junit.jupiter.api.Test;

import org.springframework.http.HttpMethod;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;

import static org.assertj.core.api.Assertions.assertThat;

class BackendRoutingFilterTests {

	private static final Backend EU = new Backend("eu", URI.create("https://eu.openai.azure.com"), new ApiKey("k"), 0,
			1);

	@Test
	void backendUrlWhenAliasedThenOnlyTheDeploymentSegmentChanges() {
		URI url = url("/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21&a=%20b", "gpt-4o",
				"gpt4o-eu");

		assertThat(url).hasToString(
				"https://eu.openai.azure.com/openai/deployments/gpt4o-eu/chat/completions?api-version=2024-10-21&a=%20b");
	}

	@Test
	void backendUrlWhenSegmentPercentEncodedThenStillReplacedWhole() {
		URI url = url("/openai/deployments/gpt%2D4o/embeddings", "gpt-4o", "emb-eu");

		assertThat(url).hasToString("https://eu.openai.azure.com/openai/deployments/emb-eu/embeddings");
	}

	@Test
	void backendUrlWhenNoAliasThenPathAndQueryUntouched() {
		URI url = url("/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21", "gpt-4o", "gpt-4o");

		assertThat(url).hasToString(
				"https://eu.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21");
	}

	@Test
	void backendUrlWhenBackendHasAPathPrefixThenKept() {
		Backend apim = new Backend("apim", URI.create("https://apim.example.com/aoai"), new ApiKey("k"), 0, 1);
		BackendDeployment selected = new BackendDeployment(apim, "");
		RouteTarget target = new RouteTarget(ApiFamily.ASSISTANTS, ApiOperation.OTHER, null, DeploymentSource.NONE,
				new Candidates(List.of(selected), Candidates.Order.FIXED, true));

		URI url = BackendRoutingFilter.backendUrl(MockServerHttpRequest.get("/openai/threads/thread_1").build(), target,
				selected);

		assertThat(url).hasToString("https://apim.example.com/aoai/openai/threads/thread_1");
	}

	@Test
	void backendUrlWhenCallerPutsAKeyInTheQueryThenItIsDropped() {
		URI url = url("/openai/deployments/gpt-4o/chat/completions?subscription-key=s3cret&api-version=2024-10-21"
				+ "&API-KEY=k2&Subscription%2DKey=s4&api-key", "gpt-4o", "gpt-4o");

		assertThat(url).hasToString(
				"https://eu.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21");
	}

	@Test
	void backendUrlWhenOnlyCredentialsThenNoQueryIsLeft() {
		assertThat(url("/openai/deployments/gpt-4o/chat/completions?api-key=k", "gpt-4o", "gpt-4o"))
			.hasToString("https://eu.openai.azure.com/openai/deployments/gpt-4o/chat/completions");
	}

	private static URI url(String requested, String deployment, String azureName) {
		BackendDeployment selected = new BackendDeployment(EU, azureName);
		RouteTarget target = new RouteTarget(ApiFamily.DEPLOYMENTS, ApiOperation.CHAT, deployment,
				DeploymentSource.PATH, new Candidates(List.of(selected), Candidates.Order.PRIORITY_WEIGHT, false));
		// From a URI, not a template: a template would encode the already-encoded query
		// again.
		return BackendRoutingFilter
			.backendUrl(MockServerHttpRequest.method(HttpMethod.POST, URI.create(requested)).build(), target, selected);
	}

}
