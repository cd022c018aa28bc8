package io.aoaigateway.simulator;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * A simulated Azure OpenAI resource on 127.0.0.1 for tests, the offline demo and the
 * benchmark: it checks the {@code api-key} or the bearer token, records every call, plays
 * scripted answers, and otherwise answers like Azure OpenAI, including paced streams and
 * stored Assistants objects. A deployment may have a scripted {@link Capacity}, which
 * refuses inference calls over it with Azure's 429 and can be changed while running
 * through {@link #capacity(String)}.
 */
public final class AzureOpenAiSimulator implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(AzureOpenAiSimulator.class);

	private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

	private static final String BEARER = "Bearer ";

	private final SimulatorSettings settings;

	private final List<RecordedRequest> received = new CopyOnWriteArrayList<>();

	private final Queue<ScriptedAnswer> script = new ConcurrentLinkedQueue<>();

	private final RateLimits rateLimits;

	private final Map<String, DeploymentCapacity> capacities;

	private final Clock clock;

	private final SimulatorState state = new SimulatorState();

	private final Routes routes = new Routes();

	private final DisposableServer server;

	private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);

	private final URI baseUrl;

	private AzureOpenAiSimulator(SimulatorSettings settings, Clock clock) {
		this.settings = settings;
		this.clock = clock;
		this.rateLimits = new RateLimits(clock);
		Map<String, DeploymentCapacity> capacities = new LinkedHashMap<>();
		settings.deployments()
			.forEach((deployment) -> capacities.put(deployment, new DeploymentCapacity(deployment,
					settings.capacities().getOrDefault(deployment, Capacity.NONE), clock)));
		this.capacities = Map.copyOf(capacities);
		ResourceContext context = new ResourceContext(settings, clock, this.rateLimits, this.capacities, this::baseUrl);
		InferenceApi inference = new InferenceApi(context);
		inference.register(this.routes);
		new AudioApi(context).register(this.routes);
		new ImagesApi(context, this.state).register(this.routes);
		ConversationsApi conversations = new ConversationsApi(context, this.state);
		conversations.register(this.routes);
		new ResponsesApi(context, this.state, conversations).register(this.routes);
		FilesApi files = new FilesApi(context, this.state, inference);
		files.register(this.routes);
		new UploadsApi(context, this.state, files).register(this.routes);
		VectorStoresApi vectorStores = new VectorStoresApi(context, this.state);
		vectorStores.register(this.routes);
		new AssistantsApi(context, this.state, vectorStores).register(this.routes);
		// Every connection is closed with the simulator: one left open would outlive its
		// port, and a client pool could hand it to a test talking to whatever server
		// binds
		// that port next.
		this.server = HttpServer.create()
			.host("127.0.0.1")
			.port(settings.port())
			.channelGroup(this.connections)
			.handle(this::handle)
			.bindNow();
		this.baseUrl = URI.create("http://127.0.0.1:" + this.server.port());
		logger.info("Simulated Azure OpenAI resource " + settings.name() + " listening on " + this.baseUrl
				+ " with deployments " + settings.deployments());
	}

	/**
	 * Starts a simulated resource, on the clock of its settings.
	 * @param settings how it behaves
	 * @return the running resource
	 */
	public static AzureOpenAiSimulator start(SimulatorSettings settings) {
		return new AzureOpenAiSimulator(settings, settings.clock());
	}

	/**
	 * @return the bound port
	 */
	public int port() {
		return this.server.port();
	}

	/**
	 * @return the resource's URL, {@code http://127.0.0.1:<port>}, what Azure calls the
	 * endpoint
	 */
	public URI baseUrl() {
		return this.baseUrl;
	}

	/**
	 * @return the name from the settings
	 */
	public String name() {
		return this.settings.name();
	}

	/**
	 * @return the settings the resource runs with
	 */
	public SimulatorSettings settings() {
		return this.settings;
	}

	/**
	 * Queues answers for the next calls, which get them in order, once the key or token
	 * check has passed.
	 * @param answers the answers
	 */
	public void enqueue(ScriptedAnswer... answers) {
		this.script.addAll(List.of(answers));
	}

	/**
	 * The capacity of a hosted deployment, to change its limits, throttle it or count its
	 * admitted and refused calls while the simulator runs. Every hosted deployment has
	 * one, {@link Capacity#NONE} unless the settings gave it limits.
	 * @param deployment a deployment the resource hosts
	 * @return its capacity
	 * @throws IllegalArgumentException when the resource does not host it
	 */
	public DeploymentCapacity capacity(String deployment) {
		DeploymentCapacity capacity = this.capacities.get(Objects.requireNonNull(deployment, "deployment"));
		if (capacity == null) {
			throw new IllegalArgumentException("Deployment " + deployment + " is not hosted by " + this.settings.name()
					+ ": " + this.settings.deployments());
		}
		return capacity;
	}

	/**
	 * @return the calls received so far, in arrival order
	 */
	public List<RecordedRequest> received() {
		return List.copyOf(this.received);
	}

	public void clearReceived() {
		this.received.clear();
	}

	/**
	 * Forgets queued answers, recorded calls, stored objects and rate-limit counters, and
	 * puts every deployment's capacity back to its settings, with no usage, throttle or
	 * counts.
	 */
	public void reset() {
		this.script.clear();
		this.received.clear();
		this.state.clear();
		this.rateLimits.clear();
		this.capacities.values().forEach(DeploymentCapacity::reset);
	}

	/**
	 * Blocks until the server stops, e.g. when the process is killed.
	 */
	public void awaitClose() {
		this.server.onDispose().block();
	}

	@Override
	public void close() {
		this.server.disposeNow(CLOSE_WAIT);
		this.connections.close().awaitUninterruptibly(CLOSE_WAIT.toMillis());
	}

	private Publisher<Void> handle(HttpServerRequest request, HttpServerResponse response) {
		// Arrival is when the headers came, before the body is read.
		Instant arrivedAt = this.clock.instant();
		long arrivedNanos = System.nanoTime();
		return request.receive().aggregate().asByteArray().defaultIfEmpty(new byte[0]).flatMap((body) -> {
			RecordedRequest recorded = record(request, body, arrivedAt, arrivedNanos);
			return write(response, answer(recorded), recorded.header("x-ms-client-request-id"));
		});
	}

	private RecordedRequest record(HttpServerRequest request, byte[] body, Instant arrivedAt, long arrivedNanos) {
		String uri = request.uri();
		int question = uri.indexOf('?');
		String path = (question < 0) ? uri : uri.substring(0, question);
		String rawQuery = (question < 0) ? null : uri.substring(question + 1);
		Map<String, List<String>> headers = new LinkedHashMap<>();
		request.requestHeaders()
			.forEach((header) -> headers.computeIfAbsent(header.getKey(), (name) -> new ArrayList<>())
				.add(header.getValue()));
		RecordedRequest recorded = new RecordedRequest(request.method().name(), path, rawQuery, headers, body,
				arrivedAt, arrivedNanos);
		this.received.add(recorded);
		return recorded;
	}

	private Answer answer(RecordedRequest request) {
		Answer refused = authenticate(request);
		if (refused != null) {
			return refused;
		}
		ScriptedAnswer scripted = this.script.poll();
		if (scripted != null) {
			return scripted(scripted, request);
		}
		if (this.settings.throttleRate() > 0
				&& ThreadLocalRandom.current().nextDouble() < this.settings.throttleRate()) {
			return AzureErrors.throttled(Duration.ofSeconds(1), request);
		}
		return delayed(normal(request));
	}

	// Only successful answers take the latency: a refusal, like Azure's 429, is sent
	// before any model runs.
	private Answer delayed(Answer answer) {
		Duration latency = this.settings.latency();
		if (latency.isZero() || !(answer instanceof Answer.Complete complete) || complete.status() >= 300) {
			return answer;
		}
		return new Answer.Delayed(latency, answer);
	}

	private Answer scripted(ScriptedAnswer scripted, RecordedRequest request) {
		if (scripted instanceof ScriptedAnswer.Throttled throttled) {
			return AzureErrors.throttled(throttled.retryAfter(), request);
		}
		if (scripted instanceof ScriptedAnswer.Status status) {
			return AzureErrors.status(status.status());
		}
		if (scripted instanceof ScriptedAnswer.ContentFilter) {
			return AzureErrors.contentFilter();
		}
		if (scripted instanceof ScriptedAnswer.Disconnect) {
			return new Answer.Disconnect();
		}
		if (scripted instanceof ScriptedAnswer.Json json) {
			return Answer.json(json.status(), json.body());
		}
		if (scripted instanceof ScriptedAnswer.Delayed delayed) {
			return new Answer.Delayed(delayed.delay(), scripted(delayed.answer(), request));
		}
		return delayed(normal(request));
	}

	private Answer normal(RecordedRequest request) {
		try {
			Routes.Match match = this.routes.match(request, request.path());
			if (match == null && request.path().startsWith("/openai/v1/")) {
				// Azure serves the stateful families on /openai/v1/... as well.
				match = this.routes.match(request, "/openai/" + request.path().substring("/openai/v1/".length()));
			}
			return (match != null) ? match.answer() : AzureErrors.resourceNotFound();
		}
		catch (Rejection rejection) {
			return rejection.answer();
		}
		catch (RuntimeException ex) {
			logger.warn("Simulated resource " + this.settings.name() + " failed on " + request, ex);
			return AzureErrors.status(500);
		}
	}

	// Azure documents both headers but not which wins when a call sends both. The key is
	// decided first: a key on a resource with key auth disabled is refused even beside a
	// valid token, and a valid key is served whatever Authorization holds. A caller with
	// neither gets the error of the resource's first method: the key's, or the token's
	// when keys are disabled.
	private @Nullable Answer authenticate(RecordedRequest request) {
		String apiKey = request.header("api-key");
		if (apiKey != null) {
			if (!this.settings.keyAuth()) {
				return AzureErrors.keyAuthDisabled();
			}
			return validKey(apiKey) ? null : AzureErrors.unauthorized();
		}
		String authorization = request.header("authorization");
		if (authorization == null) {
			return this.settings.keyAuth() ? AzureErrors.unauthorized() : AzureErrors.tokenUnauthorized();
		}
		Predicate<String> bearerCheck = this.settings.bearerCheck();
		boolean bearer = authorization.regionMatches(true, 0, BEARER, 0, BEARER.length());
		return (bearerCheck != null && bearer && bearerCheck.test(authorization.substring(BEARER.length()).trim()))
				? null : AzureErrors.tokenUnauthorized();
	}

	// Compared in constant time, as a real key check would be.
	private boolean validKey(String apiKey) {
		return MessageDigest.isEqual(apiKey.getBytes(StandardCharsets.UTF_8),
				this.settings.apiKey().getBytes(StandardCharsets.UTF_8));
	}

	private Mono<Void> write(HttpServerResponse response, Answer answer, @Nullable String clientRequestId) {
		if (answer instanceof Answer.Delayed delayed) {
			return Mono.delay(delayed.delay())
				.then(Mono.defer(() -> write(response, delayed.answer(), clientRequestId)));
		}
		if (answer instanceof Answer.Disconnect) {
			response.withConnection(Connection::dispose);
			return Mono.empty();
		}
		commonHeaders(response, clientRequestId);
		if (answer instanceof Answer.EventStream stream) {
			response.status(200);
			response.header("content-type", "text/event-stream; charset=utf-8");
			response.header("cache-control", "no-cache");
			stream.headers().forEach(response::header);
			return response.send(paced(stream.events()).map((event) -> toBuffer(response, event)), (buffer) -> true)
				.then();
		}
		Answer.Complete complete = (Answer.Complete) answer;
		response.status(complete.status());
		complete.headers().forEach(response::header);
		if (complete.status() == 204 || complete.status() == 304) {
			return response.send();
		}
		response.header("content-length", String.valueOf(complete.body().length));
		return response.sendByteArray(Mono.just(complete.body())).then();
	}

	private void commonHeaders(HttpServerResponse response, @Nullable String clientRequestId) {
		response.header("apim-request-id", UUID.randomUUID().toString());
		response.header("x-request-id", UUID.randomUUID().toString());
		response.header("x-ms-region", this.settings.region());
		if (clientRequestId != null) {
			response.header("x-ms-client-request-id", clientRequestId);
		}
	}

	// The first event goes out at once, every later one a pace after the previous one.
	private Flux<String> paced(List<String> events) {
		Duration pace = this.settings.streamPace();
		if (pace.isZero()) {
			return Flux.fromIterable(events);
		}
		return Flux.fromIterable(events)
			.index()
			.concatMap((event) -> (event.getT1() == 0) ? Mono.just(event.getT2())
					: Mono.delay(pace).thenReturn(event.getT2()));
	}

	private static ByteBuf toBuffer(HttpServerResponse response, String event) {
		return ByteBufUtil.writeUtf8(response.alloc(), event);
	}

}
