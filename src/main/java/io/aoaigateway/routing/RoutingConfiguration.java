package io.aoaigateway.routing;

import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

import io.aoaigateway.identity.BackendCredentials;
import io.aoaigateway.routing.RouteTarget.DeploymentSource;
import io.aoaigateway.server.BufferedBodyBudget;

import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.cloud.gateway.route.builder.RouteLocatorBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;

/**
 * The routes of every Azure OpenAI API family, and the filters that send each call to a
 * backend of the pool.
 */
@Configuration(proxyBeanMethods = false)
public class RoutingConfiguration {

	// Never called: BackendRoutingFilter replaces it with the chosen backend's URL.
	private static final String UNRESOLVED = "http://backend.unresolved.invalid";

	@Bean
	static DeploymentConverter deploymentConverter() {
		return new DeploymentConverter();
	}

	@Bean
	BackendPool backendPool(RoutingProperties properties, BackendCredentials credentials) {
		return new BackendPool(properties, credentials);
	}

	@Bean
	BackendSelection backendSelection() {
		RandomGenerator random = () -> ThreadLocalRandom.current().nextLong();
		return new BackendSelector(random);
	}

	@Bean
	GlobalFilter requestBodyFilter(RoutingProperties properties, BufferedBodyBudget budget) {
		return new RequestBodyFilter(properties.maxRequestSize().toBytes(), budget);
	}

	@Bean
	GlobalFilter gatewayCallFilter() {
		return new GatewayCallFilter();
	}

	@Bean
	GlobalFilter meteredResponseFilter() {
		return new MeteredResponseFilter();
	}

	@Bean
	GlobalFilter backendRoutingFilter() {
		return new BackendRoutingFilter();
	}

	@Bean
	HttpHeadersFilter apiKeySwapHeadersFilter() {
		return new ApiKeySwapHeadersFilter();
	}

	@Bean
	HttpHeadersFilter locationRewriteHeadersFilter() {
		return new LocationRewriteHeadersFilter();
	}

	@Bean
	RouteLocator azureOpenAiRoutes(RouteLocatorBuilder routes, BackendPool pool) {
		RouteTargetFilter byPath = new RouteTargetFilter(ApiFamily.DEPLOYMENTS, DeploymentSource.PATH, pool);
		RouteTargetFilter imageOperations = new RouteTargetFilter(ApiFamily.IMAGE_OPERATIONS, DeploymentSource.NONE,
				pool);
		RouteTargetFilter assistants = new RouteTargetFilter(ApiFamily.ASSISTANTS, DeploymentSource.NONE, pool);
		RouteTargetFilter v1ByModel = new RouteTargetFilter(ApiFamily.V1, DeploymentSource.BODY, pool);
		RouteTargetFilter v1Stateful = new RouteTargetFilter(ApiFamily.V1, DeploymentSource.NONE, pool);
		RouteTargetFilter inference = new RouteTargetFilter(ApiFamily.MODEL_INFERENCE, DeploymentSource.BODY, pool);
		return routes.routes()
			.route("deployments",
					(r) -> r.path("/openai/deployments/{deployment}/**")
						.filters((f) -> f.filter(byPath))
						.uri(UNRESOLVED))
			.route("image-operations",
					(r) -> r.path("/openai/images/generations:submit", "/openai/operations/images/**")
						.filters((f) -> f.filter(imageOperations))
						.uri(UNRESOLVED))
			.route("assistants", (r) -> r
				.path("/openai/assistants/**", "/openai/threads/**", "/openai/vector_stores/**", "/openai/files/**",
						"/openai/batches/**", "/openai/responses/**", "/openai/conversations/**", "/openai/uploads/**")
				.filters((f) -> f.filter(assistants))
				.uri(UNRESOLVED))
			.route("v1-by-model",
					(r) -> r.method(HttpMethod.POST)
						.and()
						.path("/openai/v1/chat/completions", "/openai/v1/completions", "/openai/v1/embeddings")
						.filters((f) -> f.filter(v1ByModel))
						.uri(UNRESOLVED))
			.route("v1", (r) -> r.path("/openai/v1/**").filters((f) -> f.filter(v1Stateful)).uri(UNRESOLVED))
			.route("model-inference",
					(r) -> r.path("/models/chat/completions").filters((f) -> f.filter(inference)).uri(UNRESOLVED))
			.build();
	}

}
