package io.aoaigateway.auth;

import java.time.Duration;
import java.util.List;

import io.aoaigateway.GatewayIntegrationSupport;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.authentication.AnonymousAuthenticationWebFilter;
import org.springframework.security.web.server.authentication.AuthenticationWebFilter;
import org.springframework.security.web.server.authentication.logout.LogoutWebFilter;
import org.springframework.security.web.server.csrf.CsrfWebFilter;
import org.springframework.security.web.server.header.HttpHeaderWriterWebFilter;
import org.springframework.security.web.server.ui.LoginPageGeneratingWebFilter;
import org.springframework.web.server.WebFilter;

import static io.aoaigateway.GatewayFixtures.SIM_A;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway is a transparent proxy: an answer carries the backend's own headers and
 * none that Spring Security would add by default (cache and browser-hardening headers).
 */
class ProxiedHeadersIntegrationTests extends GatewayIntegrationSupport {

	private static final Log logger = LogFactory.getLog(ProxiedHeadersIntegrationTests.class);

	private static final String CHAT_PATH = "/openai/deployments/gpt-4o/chat/completions?" + API_VERSION;

	private static final List<String> ADDED_BY_DEFAULT = List.of(HttpHeaders.CACHE_CONTROL, HttpHeaders.PRAGMA,
			HttpHeaders.EXPIRES, "X-Frame-Options", "X-Content-Type-Options", "X-XSS-Protection",
			"Strict-Transport-Security");

	@Autowired
	ObjectProvider<SecurityWebFilterChain> securityChains;

	@Test
	void jsonAnswerWhenBackendSendsNoCacheOrHardeningHeadersThenTheGatewayAddsNone() {
		HttpHeaders headers = postJson(CHAT_PATH, """
				{"messages":[{"role":"user","content":"Hello"}]}""").expectStatus()
			.isOk()
			.returnResult(String.class)
			.getResponseHeaders();

		assertThat(ADDED_BY_DEFAULT).noneMatch(headers::containsHeader);
		assertThat(SIM_A.received()).hasSize(1);
	}

	@Test
	void streamWhenBackendSendsItsOwnCacheControlThenItPassesUnchangedAndNothingIsAdded() {
		HttpHeaders headers = postJson(CHAT_PATH, """
				{"messages":[{"role":"user","content":"Hello"}],"stream":true}""").expectStatus()
			.isOk()
			.returnResult(String.class)
			.getResponseHeaders();

		assertThat(headers.getContentType()).isNotNull()
			.matches((type) -> type.isCompatibleWith(MediaType.TEXT_EVENT_STREAM));
		assertThat(headers.get(HttpHeaders.CACHE_CONTROL)).containsExactly("no-cache");
		assertThat(ADDED_BY_DEFAULT.subList(1, ADDED_BY_DEFAULT.size())).noneMatch(headers::containsHeader);
	}

	@Test
	void unauthorizedAnswerWhenTokenMissingThenCarriesNoCacheOrHardeningHeaders() {
		HttpHeaders headers = this.client.post()
			.uri(CHAT_PATH)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{}")
			.exchange()
			.expectStatus()
			.isUnauthorized()
			.returnResult(String.class)
			.getResponseHeaders();

		assertThat(headers.getFirst(HttpHeaders.WWW_AUTHENTICATE)).isEqualTo("Bearer");
		assertThat(ADDED_BY_DEFAULT).noneMatch(headers::containsHeader);
	}

	@Test
	void securityChainWhenBuiltThenHoldsNoHeaderWriterCsrfAnonymousLoginOrLogoutFilter() {
		// The first chain serves every exchange (Spring Boot adds a default one after
		// it).
		SecurityWebFilterChain first = this.securityChains.orderedStream().findFirst().orElseThrow();
		List<Class<?>> filters = first.getWebFilters()
			.map(WebFilter::getClass)
			.<Class<?>>map((type) -> type)
			.collectList()
			.block(Duration.ofSeconds(10));
		logger.info("Security web filters: " + filters);

		assertThat(filters).isNotEmpty()
			.contains(AuthenticationWebFilter.class)
			.doesNotContain(HttpHeaderWriterWebFilter.class, CsrfWebFilter.class, LogoutWebFilter.class,
					AnonymousAuthenticationWebFilter.class, LoginPageGeneratingWebFilter.class);
	}

}
