package io.aoaigateway.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

class ServerLimitsCustomizerTests {

	private final ServerLimitsCustomizer customizer = new ServerLimitsCustomizer(new ServerLimitsProperties(
			Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(5), 3, DataSize.ofMegabytes(128)));

	@Test
	void admitWhenOverTheCapThenClosedAndNotCounted() {
		List<EmbeddedChannel> channels = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			EmbeddedChannel channel = new EmbeddedChannel();
			channels.add(channel);
			assertThat(this.customizer.admit(channel, 3)).isTrue();
		}
		EmbeddedChannel fourth = new EmbeddedChannel();

		boolean admitted = this.customizer.admit(fourth, 3);

		assertThat(admitted).isFalse();
		assertThat(fourth.isOpen()).isFalse();
		assertThat(this.customizer.openConnections()).isEqualTo(3);
		channels.forEach(EmbeddedChannel::close);
	}

	@Test
	void admitWhenAConnectionClosesThenRoomForAnother() {
		EmbeddedChannel first = new EmbeddedChannel();
		this.customizer.admit(first, 1);

		first.close();
		EmbeddedChannel second = new EmbeddedChannel();
		boolean admitted = this.customizer.admit(second, 1);

		assertThat(admitted).isTrue();
		assertThat(this.customizer.openConnections()).isEqualTo(1);
		second.close();
		assertThat(this.customizer.openConnections()).isZero();
	}

}
