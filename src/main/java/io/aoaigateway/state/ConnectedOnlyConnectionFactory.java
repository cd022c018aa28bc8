package io.aoaigateway.state;

import java.util.function.BooleanSupplier;

import org.jspecify.annotations.Nullable;

import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.connection.ReactiveRedisClusterConnection;
import org.springframework.data.redis.connection.ReactiveRedisConnection;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;

/**
 * The connection factory behind the stores' template: it hands out Spring's shared
 * connection once {@link RedisConnector} has opened it, and refuses at once before that.
 * Without it, the first store call would open the connection itself, blocking its thread
 * under the per-call timeout, whose interrupt then aborts the connection (the cause of
 * the unmetered first calls of every replica).
 */
final class ConnectedOnlyConnectionFactory implements ReactiveRedisConnectionFactory {

	private final ReactiveRedisConnectionFactory delegate;

	private final BooleanSupplier connected;

	ConnectedOnlyConnectionFactory(ReactiveRedisConnectionFactory delegate, BooleanSupplier connected) {
		this.delegate = delegate;
		this.connected = connected;
	}

	@Override
	public ReactiveRedisConnection getReactiveConnection() {
		requireConnected();
		return this.delegate.getReactiveConnection();
	}

	@Override
	public ReactiveRedisClusterConnection getReactiveClusterConnection() {
		requireConnected();
		return this.delegate.getReactiveClusterConnection();
	}

	@Override
	public @Nullable DataAccessException translateExceptionIfPossible(RuntimeException ex) {
		return this.delegate.translateExceptionIfPossible(ex);
	}

	private void requireConnected() {
		if (!this.connected.getAsBoolean()) {
			throw new StateStoreUnavailableException("Redis is not connected yet");
		}
	}

}
