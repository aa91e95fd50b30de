package dev.dualwrite.core.redis.scan;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.cluster.api.async.RedisAdvancedClusterAsyncCommands;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import org.jspecify.annotations.Nullable;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.util.Assert;

/**
 * Lettuce access for one scan step, borrowed from the application's connection factory and
 * given back on {@link #close()}: the masters to scan (one pseudo-node for a single Redis),
 * per-node commands for {@code SCAN}, and slot-routed commands for reads.
 */
final class LettuceNodes implements AutoCloseable {

    static final String STANDALONE = "standalone";

    private final RedisConnection connection;

    private final RedisClusterAsyncCommands<byte[], byte[]> commands;

    private final @Nullable RedisAdvancedClusterAsyncCommands<byte[], byte[]> cluster;

    private final Duration timeout;

    @SuppressWarnings("unchecked")
    private LettuceNodes(RedisConnection connection, Duration timeout) {
        this.connection = connection;
        this.timeout = timeout;
        Object nativeConnection = connection.getNativeConnection();
        Assert.state(nativeConnection instanceof RedisClusterAsyncCommands<?, ?>,
                () -> "The Redis scan needs Lettuce asynchronous commands, got " + nativeConnection);
        this.commands = (RedisClusterAsyncCommands<byte[], byte[]>) nativeConnection;
        this.cluster = (nativeConnection instanceof RedisAdvancedClusterAsyncCommands<?, ?> advanced)
                ? (RedisAdvancedClusterAsyncCommands<byte[], byte[]>) advanced : null;
    }

    static LettuceNodes open(RedisConnectionFactory factory, Duration timeout) {
        Assert.state(factory instanceof LettuceConnectionFactory, () -> "The Redis scan of the backfill and the "
                + "verifier supports Lettuce (Spring Boot's default Redis client); the application uses "
                + factory.getClass().getName());
        LettuceConnectionFactory lettuce = (LettuceConnectionFactory) factory;
        RedisConnection connection = lettuce.isClusterAware() ? lettuce.getClusterConnection() : lettuce.getConnection();
        return new LettuceNodes(connection, timeout);
    }

    /** Return the ids of the nodes to scan: every master with slots, sorted; one pseudo-node without a cluster. */
    List<String> masters() {
        if (this.cluster == null) {
            return List.of(STANDALONE);
        }
        List<String> masters = new ArrayList<>();
        for (RedisClusterNode node : this.cluster.getStatefulConnection().getPartitions()) {
            if (node.getRole().isUpstream() && !node.getSlots().isEmpty()) {
                masters.add(node.getNodeId());
            }
        }
        masters.sort(null);
        return masters;
    }

    /** Return the commands of one node, for {@code SCAN}. */
    RedisClusterAsyncCommands<byte[], byte[]> node(String nodeId) {
        if (this.cluster == null) {
            return this.commands;
        }
        return this.cluster.getConnection(nodeId);
    }

    /** Return commands routed by key (by slot on a cluster), for reads. */
    RedisClusterAsyncCommands<byte[], byte[]> commands() {
        return this.commands;
    }

    <T> T await(RedisFuture<T> future) {
        try {
            return future.get(this.timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new DataAccessResourceFailureException("Interrupted while waiting for Redis", ex);
        }
        catch (TimeoutException ex) {
            future.cancel(true);
            throw new QueryTimeoutException("Redis did not answer within " + this.timeout, ex);
        }
        catch (ExecutionException ex) {
            Throwable cause = (ex.getCause() != null) ? ex.getCause() : ex;
            throw new DataAccessResourceFailureException("Redis failed: " + cause.getMessage(), cause);
        }
    }

    /**
     * Await a reply that may be a per-key error (such as {@code WRONGTYPE}), telling it from a
     * connection failure.
     * @return the reply, or the error message of a command error
     */
    <T> Reply<T> awaitReply(RedisFuture<T> future) {
        try {
            return new Reply<>(await(future), null);
        }
        catch (DataAccessResourceFailureException ex) {
            if (ex.getCause() instanceof RedisCommandExecutionException command) {
                return new Reply<>(null, String.valueOf(command.getMessage()));
            }
            throw ex;
        }
    }

    record Reply<T>(@Nullable T value, @Nullable String error) {
    }

    @Override
    public void close() {
        this.connection.close();
    }

}
