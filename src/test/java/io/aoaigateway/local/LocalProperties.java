package io.aoaigateway.local;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The offline local mode (profile {@code local}): a simulated Azure OpenAI resource for
 * each configured backend, and a token issuer.
 *
 * @param enabled whether to start the simulators and the issuer inside the gateway; never
 * in production, since the issuer mints a token for anyone
 * @param issuerPort port of the local token issuer on 127.0.0.1
 * @param streamChunks content events in each simulated stream
 * @param streamPace gap between simulated stream events
 */
@ConfigurationProperties("aoai.local")
public record LocalProperties(@DefaultValue("false") boolean enabled, @DefaultValue("8180") int issuerPort,
		@DefaultValue("8") int streamChunks, @DefaultValue("40ms") Duration streamPace) {

}
