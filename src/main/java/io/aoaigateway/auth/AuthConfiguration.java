package io.aoaigateway.auth;

import java.time.Clock;
import java.util.List;

import io.aoaigateway.support.AzureExchangeRejectedHandler;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.security.config.web.server.SecurityWebFiltersOrder;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.NimbusReactiveJwtDecoder;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.security.oauth2.server.resource.web.server.authentication.ServerBearerTokenAuthenticationConverter;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.authentication.ServerAuthenticationConverter;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.security.web.server.firewall.ServerExchangeRejectedHandler;
import org.springframework.web.server.ServerWebExchange;

import reactor.core.publisher.Mono;

/**
 * The OAuth2 resource server that validates callers' Entra ID tokens, and the other
 * caller credentials ({@link CallerCredentials}, e.g. gateway-issued caller keys) checked
 * just before it.
 */
@Configuration(proxyBeanMethods = false)
public class AuthConfiguration {

	@Bean
	ReactiveJwtDecoder jwtDecoder(AuthProperties properties, Clock clock) {
		// Entra ID signs access tokens with RS256; alg "none" and HMAC are refused by
		// construction.
		NimbusReactiveJwtDecoder decoder = NimbusReactiveJwtDecoder.withJwkSetUri(properties.jwkSetUri().toString())
			.jwsAlgorithm(SignatureAlgorithm.RS256)
			.build();
		JwtTimestampValidator lifetime = new JwtTimestampValidator(properties.clockSkew());
		lifetime.setClock(clock);
		decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(lifetime,
				new TenantIssuerValidator(properties.issuers(), properties.allowedTenants()),
				audienceValidator(properties.audiences()), new CallerSubjectValidator()));
		// Keys that cannot be fetched fail with a plain IllegalStateException, which
		// Spring Security would let through as a 500. As a JwtException that is not a
		// BadJwtException it becomes an AuthenticationServiceException: 503, since the
		// token itself may well be valid.
		ReactiveJwtDecoder validating = (token) -> decoder.decode(token)
			.onErrorMap((ex) -> !(ex instanceof JwtException),
					(ex) -> new JwtException("The token issuer's signing keys could not be obtained", ex));
		int maxEntries = properties.tokenCache().maxEntries();
		return (maxEntries > 0) ? new CachingJwtDecoder(validating, lifetime, clock, maxEntries) : validating;
	}

	// First among the chains: Spring Boot 4.1 also builds its default resource-server
	// chain (reactiveJwtSecurityFilterChain, with the headers writer on) although this
	// one exists (spring-boot#50778); the first chain that matches an exchange serves it.
	@Bean
	@Order(Ordered.HIGHEST_PRECEDENCE)
	SecurityWebFilterChain securityWebFilterChain(ServerHttpSecurity http, ReactiveJwtDecoder jwtDecoder,
			ObjectProvider<CallerCredentials> otherCredentials) {
		CallerCredentials credentials = otherCredentials.getIfAvailable();
		AzureAuthenticationEntryPoint entryPoint = new AzureAuthenticationEntryPoint(credentials != null);
		if (credentials != null) {
			// Before the bearer-token filter, so that a call carrying both kinds of
			// credential is answered by this one (which refuses it) and never reaches
			// the token decoder.
			http.addFilterBefore(credentials.authenticationFilter(), SecurityWebFiltersOrder.AUTHENTICATION);
		}
		// A stateless resource server in front of a transparent proxy: no session, no
		// saved request, no login or logout, and no headers of its own on the answers
		// (Cache-Control, Pragma, Expires, X-Frame-Options, X-Content-Type-Options...),
		// which must reach the caller as the backend wrote them.
		return http.headers(ServerHttpSecurity.HeaderSpec::disable)
			.csrf(ServerHttpSecurity.CsrfSpec::disable)
			.httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
			.formLogin(ServerHttpSecurity.FormLoginSpec::disable)
			.logout(ServerHttpSecurity.LogoutSpec::disable)
			.anonymous(ServerHttpSecurity.AnonymousSpec::disable)
			.requestCache(ServerHttpSecurity.RequestCacheSpec::disable)
			.securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
			.authorizeExchange((exchanges) -> exchanges
				.pathMatchers("/actuator/health", "/actuator/health/**", "/actuator/prometheus")
				.permitAll()
				.anyExchange()
				.authenticated())
			.oauth2ResourceServer((resourceServer) -> resourceServer
				.jwt((jwt) -> jwt.jwtDecoder(jwtDecoder).jwtAuthenticationConverter(AuthConfiguration::authenticate))
				.bearerTokenConverter(new AccessTokenConverter(credentials))
				.authenticationEntryPoint(entryPoint))
			.exceptionHandling((exceptions) -> exceptions.authenticationEntryPoint(entryPoint))
			.build();
	}

	// Spring Security's WebFilterChainProxy picks this up for its
	// StrictServerWebExchangeFirewall.
	@Bean
	ServerExchangeRejectedHandler exchangeRejectedHandler() {
		return new AzureExchangeRejectedHandler();
	}

	private static JwtClaimValidator<List<String>> audienceValidator(List<String> accepted) {
		return new JwtClaimValidator<>(JwtClaimNames.AUD,
				(List<String> audiences) -> audiences != null && audiences.stream().anyMatch(accepted::contains));
	}

	private static Mono<JwtAuthenticationToken> authenticate(Jwt jwt) {
		CallerIdentity caller = CallerIdentity.from(jwt);
		List<GrantedAuthority> authorities = caller.roles()
			.stream()
			.<GrantedAuthority>map((role) -> new SimpleGrantedAuthority("ROLE_" + role))
			.toList();
		return Mono.just(new CallerAuthentication(jwt, authorities, caller));
	}

	/**
	 * Reads the bearer token for the resource server, except a bearer value that another
	 * kind of credential claims (e.g. a caller key sent as {@code Authorization: Bearer}
	 * by the OpenAI SDK): that one is never decoded as a token.
	 */
	static final class AccessTokenConverter implements ServerAuthenticationConverter {

		private static final String BEARER = "Bearer ";

		private final ServerBearerTokenAuthenticationConverter tokens = new ServerBearerTokenAuthenticationConverter();

		private final @Nullable CallerCredentials others;

		AccessTokenConverter(@Nullable CallerCredentials others) {
			this.others = others;
		}

		@Override
		public Mono<Authentication> convert(ServerWebExchange exchange) {
			if (this.others != null) {
				for (String authorization : exchange.getRequest().getHeaders().getOrEmpty(HttpHeaders.AUTHORIZATION)) {
					if (authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())
							&& this.others.claimsBearerValue(authorization.substring(BEARER.length()))) {
						return Mono.empty();
					}
				}
			}
			return this.tokens.convert(exchange);
		}

	}

}
