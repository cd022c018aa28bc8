package io.aoaigateway.keys;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * Which client a call comes from, for counting the bad keys it sends. The connection's
 * peer, unless the peer is a trusted proxy: then the nearest address in
 * {@code X-Forwarded-For} that is not one, read from the right, where each proxy appends
 * what it saw. What a client writes into the header itself stands to the left of what its
 * first trusted proxy appended, so it is never reached: a client cannot choose its own
 * source. (Reactor Netty's forwarded-header support, which sets the request's remote
 * address, takes the leftmost entry, which a client can choose; it is not used here.)
 */
final class ClientSource {

	// An IPv4 literal, optionally with a port (Azure Application Gateway appends one).
	private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})(?::\\d+)?");

	// An IPv6 literal, bare or in brackets with an optional port.
	private static final Pattern IPV6 = Pattern
		.compile("\\[?([0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)](?::\\d+)?|([0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)");

	/**
	 * At most this many entries are read, from the right: a longer chain is a hostile
	 * one.
	 */
	private static final int MAX_HOPS = 16;

	private final List<Cidr> trusted;

	/**
	 * @param trustedProxies CIDR blocks ({@code 10.0.0.0/8}, {@code fc00::/7}) of the
	 * proxies whose {@code X-Forwarded-For} entries are believed
	 * @throws IllegalArgumentException when a block is not a CIDR block
	 */
	ClientSource(List<String> trustedProxies) {
		List<Cidr> trusted = new ArrayList<>();
		for (String block : trustedProxies) {
			trusted.add(Cidr.parse(block));
		}
		this.trusted = List.copyOf(trusted);
	}

	/**
	 * The client's address.
	 * @param peer the connection's peer, {@code null} when unknown
	 * @param forwardedFor the {@code X-Forwarded-For} header's values, in order
	 * @return the client's address; {@code null} only when the peer is unknown
	 */
	@Nullable InetAddress of(@Nullable InetAddress peer, List<String> forwardedFor) {
		InetAddress current = peer;
		if (current == null || !trusted(current)) {
			return current;
		}
		List<String> entries = new ArrayList<>();
		for (String value : forwardedFor) {
			for (String entry : value.split(",")) {
				entries.add(entry.trim());
			}
		}
		int hops = 0;
		for (int i = entries.size() - 1; i >= 0 && hops < MAX_HOPS; i--, hops++) {
			InetAddress hop = literal(entries.get(i));
			if (hop == null) {
				// Not an address: the proxy that reported it is as far as we can tell.
				return current;
			}
			current = hop;
			if (!trusted(current)) {
				return current;
			}
		}
		return current;
	}

	private boolean trusted(InetAddress address) {
		for (Cidr block : this.trusted) {
			if (block.contains(address)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Reads an IP literal, never looking a name up.
	 * @param text the text
	 * @return the address, or {@code null} when the text is not an IP literal
	 */
	static @Nullable InetAddress literal(String text) {
		Matcher ipv4 = IPV4.matcher(text);
		if (ipv4.matches()) {
			byte[] bytes = new byte[4];
			for (int i = 0; i < 4; i++) {
				int part = Integer.parseInt(ipv4.group(i + 1));
				if (part > 255) {
					return null;
				}
				bytes[i] = (byte) part;
			}
			return address(bytes);
		}
		Matcher ipv6 = IPV6.matcher(text);
		if (ipv6.matches()) {
			String literal = (ipv6.group(1) != null) ? ipv6.group(1) : ipv6.group(2);
			try {
				// A string with a colon is parsed as an IPv6 literal, never resolved.
				return InetAddress.getByName("[" + literal + "]");
			}
			catch (UnknownHostException ex) {
				return null;
			}
		}
		return null;
	}

	private static @Nullable InetAddress address(byte[] bytes) {
		try {
			return InetAddress.getByAddress(bytes);
		}
		catch (UnknownHostException ex) {
			return null;
		}
	}

	/**
	 * A CIDR block.
	 *
	 * @param network the block's first address
	 * @param prefix the number of leading bits that must match
	 */
	record Cidr(InetAddress network, int prefix) {

		static Cidr parse(String block) {
			int slash = block.indexOf('/');
			InetAddress network = literal((slash < 0) ? block.trim() : block.substring(0, slash).trim());
			if (network == null) {
				throw new IllegalArgumentException("'" + block + "' is not a CIDR block (e.g. 10.0.0.0/8, fc00::/7)");
			}
			int bits = network.getAddress().length * 8;
			int prefix;
			try {
				prefix = (slash < 0) ? bits : Integer.parseInt(block.substring(slash + 1).trim());
			}
			catch (NumberFormatException ex) {
				throw new IllegalArgumentException("'" + block + "' is not a CIDR block (e.g. 10.0.0.0/8, fc00::/7)");
			}
			if (prefix < 0 || prefix > bits) {
				throw new IllegalArgumentException("'" + block + "' has a prefix outside 0-" + bits);
			}
			return new Cidr(network, prefix);
		}

		boolean contains(InetAddress address) {
			byte[] candidate = address.getAddress();
			byte[] block = this.network.getAddress();
			if (candidate.length != block.length) {
				// An IPv4-mapped IPv6 peer (::ffff:a.b.c.d) is matched as its IPv4
				// address.
				if (!(address instanceof Inet4Address) && block.length == 4 && isV4Mapped(candidate)) {
					byte[] v4 = new byte[4];
					System.arraycopy(candidate, 12, v4, 0, 4);
					return matches(v4, block);
				}
				return false;
			}
			return matches(candidate, block);
		}

		private boolean matches(byte[] candidate, byte[] block) {
			int full = this.prefix / 8;
			for (int i = 0; i < full; i++) {
				if (candidate[i] != block[i]) {
					return false;
				}
			}
			int rest = this.prefix % 8;
			if (rest == 0) {
				return true;
			}
			int mask = (0xff << (8 - rest)) & 0xff;
			return (candidate[full] & mask) == (block[full] & mask);
		}

		private static boolean isV4Mapped(byte[] address) {
			for (int i = 0; i < 10; i++) {
				if (address[i] != 0) {
					return false;
				}
			}
			return address[10] == (byte) 0xff && address[11] == (byte) 0xff;
		}

	}

}
