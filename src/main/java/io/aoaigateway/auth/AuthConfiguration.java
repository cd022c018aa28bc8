package io.aoaigateway.auth;

import java.time.Clock;
import java.util.List;

import io.aoaigateway.support.AzureExchangeRejectedHandler;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.web.server.ServerHttpSecurity;
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
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.security.web.server.firewall.ServerExchangeRejectedHandler;
import org.springframework.security.web.server.savedrequest.NoOpServerRequestCache;

import reactor.core.publisher.Mono;

/**
 * The OAuth2 resource server that validates callers' Entra ID tokens, and the key swap
 * towards the backends.
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
		JwtTimestampValidator timestamps = new JwtTimestampValidator(properties.clockSkew());
		timestamps.setClock(clock);
		decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(timestamps,
				new TenantIssuerValidator(properties.issuers(), properties.allowedTenants()),
				audienceValidator(properties.audiences()), new CallerSubjectValidator()));
		// Keys that cannot be fetched fail with a plain IllegalStateException, which
		// Spring Security would let through as a 500. As a JwtException that is not a
		// BadJwtException it becomes an AuthenticationServiceException: 503, since the
		// token itself may well be valid.
		return (token) -> decoder.decode(token)
			.onErrorMap((ex) -> !(ex instanceof JwtException),
					(ex) -> new JwtException("The token issuer's signing keys could not be obtained", ex));
	}

	@Bean
	SecurityWebFilterChain securityWebFilterChain(ServerHttpSecurity http, ReactiveJwtDecoder jwtDecoder) {
		AzureAuthenticationEntryPoint entryPoint = new AzureAuthenticationEntryPoint();
		return http.csrf(ServerHttpSecurity.CsrfSpec::disable)
			.httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
			.formLogin(ServerHttpSecurity.FormLoginSpec::disable)
			.logout(ServerHttpSecurity.LogoutSpec::disable)
			.anonymous(ServerHttpSecurity.AnonymousSpec::disable)
			.requestCache((cache) -> cache.requestCache(NoOpServerRequestCache.getInstance()))
			.securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
			.authorizeExchange((exchanges) -> exchanges
				.pathMatchers("/actuator/health", "/actuator/health/**", "/actuator/prometheus")
				.permitAll()
				.anyExchange()
				.authenticated())
			.oauth2ResourceServer((resourceServer) -> resourceServer
				.jwt((jwt) -> jwt.jwtDecoder(jwtDecoder).jwtAuthenticationConverter(AuthConfiguration::authenticate))
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

}
