package io.aoaigateway.keys;

import java.net.InetAddress;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Which client a call is counted against: a client can write what it likes into
 * X-Forwarded-For, and still be counted by its own address.
 */
class ClientSourceTests {

	private final ClientSource sources = new ClientSource(List.of("10.0.0.0/8", "fc00::/7", "127.0.0.1/32"));

	@Test
	void ofWhenPeerIsNotATrustedProxyThenThePeerWhateverTheHeaderSays() {
		assertThat(this.sources.of(ip("203.0.113.7"), List.of("198.51.100.1"))).isEqualTo(ip("203.0.113.7"));
	}

	@Test
	void ofWhenBehindATrustedProxyThenWhatTheProxyAppendedNotWhatTheClientWrote() {
		// The client wrote 198.51.100.1 itself; the ingress at 10.1.2.3 appended the
		// address it saw.
		InetAddress source = this.sources.of(ip("10.1.2.3"), List.of("198.51.100.1, 203.0.113.7"));

		assertThat(source).isEqualTo(ip("203.0.113.7"));
	}

	@Test
	void ofWhenSeveralTrustedProxiesThenTheFirstAddressFromTheRightThatIsNotOne() {
		InetAddress source = this.sources.of(ip("10.0.0.5"),
				List.of("198.51.100.1", "203.0.113.7, 10.9.9.9", "fd00::1"));

		assertThat(source).isEqualTo(ip("203.0.113.7"));
	}

	@Test
	void ofWhenEveryEntryIsATrustedProxyThenTheLeftmost() {
		assertThat(this.sources.of(ip("127.0.0.1"), List.of("10.0.0.7, 10.0.0.8"))).isEqualTo(ip("10.0.0.7"));
	}

	@Test
	void ofWhenAnEntryIsNotAnAddressThenTheProxyThatReportedIt() {
		assertThat(this.sources.of(ip("10.0.0.5"), List.of("evil.example.com, unknown"))).isEqualTo(ip("10.0.0.5"));
		assertThat(this.sources.of(ip("10.0.0.5"), List.of("999.1.1.1"))).isEqualTo(ip("10.0.0.5"));
	}

	@Test
	void ofWhenEntriesCarryPortsOrBracketsThenTheAddress() {
		assertThat(this.sources.of(ip("10.0.0.5"), List.of("203.0.113.7:51234"))).isEqualTo(ip("203.0.113.7"));
		assertThat(this.sources.of(ip("10.0.0.5"), List.of("[2001:db8::7]:443"))).isEqualTo(ip("2001:db8::7"));
	}

	@Test
	void ofWhenAHostileChainIsLongThenAtMostSixteenHopsAreRead() {
		String chain = "203.0.113.7, " + "10.0.0.1, ".repeat(40) + "10.0.0.2";

		assertThat(this.sources.of(ip("10.0.0.5"), List.of(chain))).isEqualTo(ip("10.0.0.1"));
	}

	@Test
	void ofWhenPeerUnknownThenUnknown() {
		assertThat(this.sources.of(null, List.of("203.0.113.7"))).isNull();
	}

	@Test
	void literalNeverLooksANameUp() {
		assertThat(ClientSource.literal("localhost")).isNull();
		assertThat(ClientSource.literal("example.com")).isNull();
		assertThat(ClientSource.literal("")).isNull();
		assertThat(ClientSource.literal("1.2.3")).isNull();
	}

	@Test
	void constructorWhenNotACidrBlockThenRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> new ClientSource(List.of("10.0.0.0/33")));
		assertThatIllegalArgumentException().isThrownBy(() -> new ClientSource(List.of("internal")));
		assertThatIllegalArgumentException().isThrownBy(() -> new ClientSource(List.of("10.0.0.0/x")));
	}

	private static InetAddress ip(String literal) {
		InetAddress address = ClientSource.literal(literal);
		assertThat(address).as(literal).isNotNull();
		return address;
	}

}
