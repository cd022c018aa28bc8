package io.aoaigateway;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.aoaigateway.leaks.TestClients;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * A whole gateway started by a test, for tests that need more than one (replicas sharing
 * a store) or settings a shared test context cannot have.
 */
public final class GatewayInstance implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(GatewayInstance.class);

	private static final Duration SCRAPE_WAIT = Duration.ofSeconds(30);

	private final ConfigurableApplicationContext context;

	// The tests' connections to this gateway, closed with it: in a pool shared by the
	// JVM,
	// a connection could outlive the gateway and be handed to a test of a later server
	// that happens to bind the same port.
	private final ConnectionProvider connections = TestClients.pool("gateway-instance");

	private GatewayInstance(ConfigurableApplicationContext context) {
		this.context = context;
	}

	/** An override's value that takes the fixtures' property of that name away. */
	public static final Object REMOVED = new Object();

	/**
	 * Starts a gateway on a free port in front of {@link GatewayFixtures}' simulators.
	 * @param overrides properties added to (or replacing) the fixtures' ones;
	 * {@link #REMOVED} takes one away
	 * @return the running gateway
	 */
	public static GatewayInstance start(Map<String, Object> overrides) {
		return start(overrides, null);
	}

	/**
	 * Starts a gateway on a free port in front of {@link GatewayFixtures}' simulators, on
	 * a clock of the test's.
	 * @param overrides properties added to (or replacing) the fixtures' ones;
	 * {@link #REMOVED} takes one away
	 * @param clock the clock every part of the gateway reads, or {@code null} for the
	 * application's own
	 * @return the running gateway
	 */
	public static GatewayInstance start(Map<String, Object> overrides, @Nullable Clock clock) {
		Map<String, Object> properties = new LinkedHashMap<>();
		GatewayFixtures.register((name, value) -> properties.put(name, value.get()));
		properties.putAll(overrides);
		properties.values().removeIf((value) -> value == REMOVED);
		properties.put("server.port", 0);
		// As arguments, they win over application.yaml as they would on a command line.
		String[] arguments = properties.entrySet()
			.stream()
			.map((property) -> "--" + property.getKey() + "=" + property.getValue())
			.toArray(String[]::new);
		SpringApplicationBuilder application = new SpringApplicationBuilder(AoaiGatewayApplication.class)
			.initializers(GatewayInstance::ownNettyResources);
		if (clock != null) {
			application.initializers((context) -> ((GenericApplicationContext) context).registerBean("testClock",
					Clock.class, () -> clock, (definition) -> definition.setPrimary(true)));
		}
		return new GatewayInstance(application.run(arguments));
	}

	// Reactor Netty's global event loops also run the simulators and the other test
	// contexts; closing this gateway must not dispose of them.
	private static void ownNettyResources(ConfigurableApplicationContext context) {
		context.getBeanFactory().addBeanPostProcessor(new BeanPostProcessor() {
			@Override
			public Object postProcessBeforeInitialization(Object bean, String beanName) {
				if (bean instanceof ReactorResourceFactory factory) {
					factory.setUseGlobalResources(false);
				}
				return bean;
			}
		});
	}

	/**
	 * @return a client for the gateway
	 */
	public WebClient client() {
		return TestClients.create("http://localhost:" + port(), this.connections);
	}

	/**
	 * @return what Prometheus would scrape from the gateway now
	 */
	public String scrape() {
		try {
			return client().get().uri("/actuator/prometheus").retrieve().bodyToMono(String.class).block(SCRAPE_WAIT);
		}
		catch (IllegalStateException ex) {
			// A scrape that never ends: what every thread was doing is what explains it.
			logger.error("No scrape within " + SCRAPE_WAIT + "; the threads:\n" + threadDump());
			throw ex;
		}
	}

	private static String threadDump() {
		StringBuilder dump = new StringBuilder();
		for (ThreadInfo thread : ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
			dump.append('"').append(thread.getThreadName()).append("\" ").append(thread.getThreadState());
			if (thread.getLockName() != null) {
				dump.append(" on ").append(thread.getLockName());
			}
			dump.append('\n');
			for (StackTraceElement frame : thread.getStackTrace()) {
				dump.append("\tat ").append(frame).append('\n');
			}
		}
		return dump.toString();
	}

	/**
	 * @return the port the gateway listens on
	 */
	public int port() {
		return ((WebServerApplicationContext) this.context).getWebServer().getPort();
	}

	/**
	 * @param type a bean type
	 * @return the gateway's only bean of that type
	 */
	public <T> T bean(Class<T> type) {
		return this.context.getBean(type);
	}

	@Override
	public void close() {
		try {
			this.context.close();
		}
		finally {
			this.connections.dispose();
		}
	}

}
