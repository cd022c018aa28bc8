package io.aoaigateway.simulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Conversations API: {@code conv_…} objects that hold items (messages, and the output
 * of the responses created in them). Like Azure, a resource knows only its own
 * conversations and items; any other id answers 404.
 */
final class ConversationsApi {

	// Azure takes at most 20 items per call.
	private static final int MAX_ITEMS = 20;

	private final ResourceContext context;

	private final SimulatorState state;

	ConversationsApi(ResourceContext context, SimulatorState state) {
		this.context = context;
		this.state = state;
	}

	void register(Routes routes) {
		for (String base : List.of("/openai/v1/conversations", "/openai/conversations")) {
			routes.post(base, this::create)
				.get(base + "/{conversation}", this::get)
				.post(base + "/{conversation}", this::update)
				.delete(base + "/{conversation}", this::delete)
				.get(base + "/{conversation}/items", this::listItems)
				.post(base + "/{conversation}/items", this::addItems)
				.get(base + "/{conversation}/items/{item}", this::getItem)
				.delete(base + "/{conversation}/items/{item}", this::deleteItem);
		}
	}

	/**
	 * The conversation a Responses call names, as a string or as {@code {"id": …}}.
	 * @param body the call's body
	 * @return its id, or {@code null} when the call names none
	 * @throws Rejection with Azure's 404 when this resource does not hold it
	 */
	@Nullable String conversationOf(ObjectNode body) {
		JsonNode conversation = body.path("conversation");
		String id = conversation.isString() ? conversation.stringValue()
				: conversation.isObject() ? Nodes.text((ObjectNode) conversation, "id") : null;
		if (id != null) {
			require(id);
		}
		return id;
	}

	/**
	 * Appends items to a conversation, as a response created in it does with its input
	 * and its output.
	 * @param conversation the conversation's id
	 * @param items the items, each with an id
	 */
	void append(String conversation, List<ObjectNode> items) {
		for (ObjectNode item : items) {
			ObjectNode stored = item.deepCopy();
			stored.put("conversation_id", conversation);
			this.state.conversationItems.put(stored);
		}
	}

	private Answer create(Call call) {
		ObjectNode body = call.json();
		List<ObjectNode> items = items(body.path("items"));
		ObjectNode conversation = Nodes.object()
			.put("id", Ids.hex("conv_", 48))
			.put("object", "conversation")
			.put("created_at", this.context.now());
		conversation.set("metadata", Nodes.copyOrEmpty(body, "metadata"));
		this.state.conversations.put(conversation);
		append(conversation.get("id").stringValue(), items);
		return Answer.json(200, conversation);
	}

	private Answer get(Call call) {
		return Answer.json(200, require(call.variable("conversation")));
	}

	private Answer update(Call call) {
		String id = call.variable("conversation");
		require(id);
		ObjectNode body = call.json();
		ObjectNode updated = this.state.conversations.update(id,
				(conversation) -> conversation.set("metadata", Nodes.copyOrEmpty(body, "metadata")));
		return Answer.json(200, Objects.requireNonNull(updated));
	}

	private Answer delete(Call call) {
		String id = call.variable("conversation");
		require(id);
		this.state.conversations.remove(id);
		this.state.conversationItems.removeIf((item) -> id.equals(Nodes.text(item, "conversation_id")));
		return Answer.json(200,
				Nodes.object().put("id", id).put("object", "conversation.deleted").put("deleted", true));
	}

	private Answer listItems(Call call) {
		String id = call.variable("conversation");
		require(id);
		return Pages.page(call, itemsOf(id));
	}

	private Answer addItems(Call call) {
		String id = call.variable("conversation");
		require(id);
		List<ObjectNode> items = items(call.json().path("items"));
		if (items.isEmpty()) {
			throw new Rejection(AzureErrors.badRequest("'items' must hold at least one item."));
		}
		append(id, items);
		return Answer.json(200, Pages.list(items.stream().map(ConversationsApi::render).toList(), false));
	}

	private Answer getItem(Call call) {
		ObjectNode item = item(call.variable("conversation"), call.variable("item"));
		return Answer.json(200, render(item));
	}

	private Answer deleteItem(Call call) {
		String conversation = call.variable("conversation");
		ObjectNode item = item(conversation, call.variable("item"));
		this.state.conversationItems.remove(item.get("id").stringValue());
		return Answer.json(200, require(conversation));
	}

	private ObjectNode require(String id) {
		ObjectNode conversation = this.state.conversations.get(id);
		if (conversation == null) {
			throw new Rejection(AzureErrors.error(404, "404", "Conversation with id '" + id + "' not found."));
		}
		return conversation;
	}

	private ObjectNode item(String conversation, String id) {
		require(conversation);
		ObjectNode item = this.state.conversationItems.get(id);
		if (item == null || !conversation.equals(Nodes.text(item, "conversation_id"))) {
			throw new Rejection(AzureErrors.error(404, "404", "Item with id '" + id + "' not found."));
		}
		return item;
	}

	private List<ObjectNode> itemsOf(String conversation) {
		return this.state.conversationItems.list((item) -> conversation.equals(Nodes.text(item, "conversation_id")))
			.stream()
			.map(ConversationsApi::render)
			.toList();
	}

	// Input items as Azure stores them: each gets an id and a status.
	private static List<ObjectNode> items(JsonNode input) {
		if (!input.isArray()) {
			return List.of();
		}
		if (input.size() > MAX_ITEMS) {
			throw new Rejection(AzureErrors.badRequest("At most " + MAX_ITEMS + " items can be added at a time."));
		}
		List<ObjectNode> items = new ArrayList<>();
		for (JsonNode element : input) {
			if (!element.isObject()) {
				throw new Rejection(AzureErrors.badRequest("Each item must be an object."));
			}
			ObjectNode item = ((ObjectNode) element).deepCopy();
			if (!item.has("type")) {
				item.put("type", "message");
			}
			if (!item.has("id")) {
				item.put("id", Ids.hex("msg_", 48));
			}
			item.put("status", "completed");
			items.add(item);
		}
		return items;
	}

	private static ObjectNode render(ObjectNode item) {
		ObjectNode rendered = item.deepCopy();
		rendered.remove("conversation_id");
		return rendered;
	}

}
