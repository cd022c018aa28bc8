package io.aoaigateway.routing;

import org.springframework.boot.context.properties.ConfigurationPropertiesBinding;
import org.springframework.core.convert.converter.Converter;

/**
 * Lets a deployment be written as its bare name ({@code deployments: [gpt-4o]}) when it
 * has no alias.
 */
@ConfigurationPropertiesBinding
public final class DeploymentConverter implements Converter<String, RoutingProperties.Deployment> {

	@Override
	public RoutingProperties.Deployment convert(String source) {
		return new RoutingProperties.Deployment(source.trim(), null);
	}

}
