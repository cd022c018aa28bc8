package io.aoaigateway.keys;

import java.io.PrintStream;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code java -jar aoai-gateway.jar caller-key create --app <app> --name <name> --owner
 * <owner> [--expires <instant>] [--role <role>]... [--group <group>]...}: makes a caller
 * key offline, for gateways that read their keys from configuration or a mounted Secret.
 * Prints the key once, on the first line, then the record to add to
 * {@code aoai.caller-keys.keys} or to the keys file. Runs without starting the gateway.
 */
public final class CallerKeyCommand {

	/** The first argument that selects this command. */
	public static final String COMMAND = "caller-key";

	static final String USAGE = """
			Usage: java -jar aoai-gateway.jar caller-key create --app <app> --name <name> --owner <owner>
			         [--expires <instant, e.g. 2027-01-01T00:00:00Z>] [--role <role>]... [--group <group>]...
			Prints a new caller key once, on the first line, then its record (salted hash, never the key) for
			aoai.caller-keys.keys in the gateway's configuration, or for the keys list of aoai.caller-keys.file.""";

	private CallerKeyCommand() {
	}

	/**
	 * @param args the program's arguments
	 * @return whether they ask for this command rather than the gateway
	 */
	public static boolean handles(String[] args) {
		return args.length > 0 && COMMAND.equals(args[0]);
	}

	/**
	 * Runs the command.
	 * @param args the program's arguments, starting with {@value #COMMAND}
	 * @param out where the key and its record go
	 * @param err where usage and errors go
	 * @return the exit status: 0 when a key was made, 2 for a usage error
	 */
	public static int run(String[] args, PrintStream out, PrintStream err) {
		return run(args, out, err, Clock.systemUTC(), new SecureRandom());
	}

	static int run(String[] args, PrintStream out, PrintStream err, Clock clock, SecureRandom random) {
		if (args.length < 2 || !"create".equals(args[1])) {
			err.println(USAGE);
			return 2;
		}
		try {
			NewCallerKey request = parse(args, clock.instant());
			IssuedCallerKey issued = IssuedCallerKey.issue(request, clock.instant(), random);
			out.println(issued.key());
			out.println("# The key above is shown this once and stored nowhere: hand it to the app's owner now.");
			out.println("# Its record, for aoai.caller-keys.keys in the gateway's configuration, or for the keys");
			out.println("# list of the file named by aoai.caller-keys.file (e.g. a mounted Secret):");
			out.print(yaml(issued.record()));
			return 0;
		}
		catch (IllegalArgumentException ex) {
			err.println("caller-key: " + ex.getMessage());
			err.println(USAGE);
			return 2;
		}
	}

	private static NewCallerKey parse(String[] args, Instant now) {
		Map<String, String> single = new LinkedHashMap<>();
		List<String> roles = new ArrayList<>();
		List<String> groups = new ArrayList<>();
		for (int i = 2; i < args.length; i++) {
			String arg = args[i];
			if (!arg.startsWith("--")) {
				throw new IllegalArgumentException("unexpected argument '" + arg + "'");
			}
			String name;
			String value;
			int equals = arg.indexOf('=');
			if (equals > 0) {
				name = arg.substring(2, equals);
				value = arg.substring(equals + 1);
			}
			else {
				if (i + 1 >= args.length) {
					throw new IllegalArgumentException(arg + " needs a value");
				}
				name = arg.substring(2);
				value = args[++i];
			}
			switch (name) {
				case "role" -> roles.add(value);
				case "group" -> groups.add(value);
				case "app", "name", "owner", "expires" -> {
					if (single.put(name, value) != null) {
						throw new IllegalArgumentException("--" + name + " is given twice");
					}
				}
				default -> throw new IllegalArgumentException("unknown option --" + name);
			}
		}
		for (String required : List.of("app", "name", "owner")) {
			if (!single.containsKey(required)) {
				throw new IllegalArgumentException("--" + required + " is required");
			}
		}
		Instant expires = expires(single.get("expires"), now);
		return new NewCallerKey(single.get("app"), single.get("name"), single.get("owner"), expires, roles, groups);
	}

	private static @Nullable Instant expires(@Nullable String value, Instant now) {
		if (value == null) {
			return null;
		}
		Instant expires;
		try {
			expires = Instant.parse(value);
		}
		catch (DateTimeParseException ex) {
			throw new IllegalArgumentException("--expires must be an instant such as 2027-01-01T00:00:00Z");
		}
		if (!expires.isAfter(now)) {
			throw new IllegalArgumentException("--expires must be in the future");
		}
		return expires;
	}

	/**
	 * @param record a record
	 * @return it as a one-item YAML list, with the property names of
	 * {@code aoai.caller-keys.keys}
	 */
	static String yaml(CallerKey record) {
		Map<String, Object> fields = new LinkedHashMap<>();
		fields.put("key-id", record.keyId());
		fields.put("name", record.name());
		fields.put("app", record.app());
		fields.put("owner", record.owner());
		fields.put("created-at", record.createdAt().toString());
		if (record.expiresAt() != null) {
			fields.put("expires-at", record.expiresAt().toString());
		}
		if (!record.roles().isEmpty()) {
			fields.put("roles", record.roles());
		}
		if (!record.groups().isEmpty()) {
			fields.put("groups", record.groups());
		}
		fields.put("salt", record.salt());
		fields.put("hash", record.hash());
		DumperOptions options = new DumperOptions();
		options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
		options.setIndent(2);
		options.setIndicatorIndent(0);
		return new Yaml(options).dump(List.of(fields));
	}

}
