package dev.dualwrite.sample.embedded;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.Map;

import redis.embedded.RedisServer;

/**
 * An in-process Redis (codemonstur embedded-redis) on a free port of 127.0.0.1, without
 * persistence: its data is gone when it stops.
 */
public final class EmbeddedRedisServer implements AutoCloseable {

    private static final int ATTEMPTS = 3;

    private final RedisServer server;

    private final int port;

    private EmbeddedRedisServer(RedisServer server, int port) {
        this.server = server;
        this.port = port;
    }

    /**
     * Start a server.
     * @return the running server
     * @throws IllegalStateException when it cannot start
     */
    public static EmbeddedRedisServer start() {
        IOException last = null;
        // Another process may take the free port between probing and binding; retry on another.
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            try {
                int port = freePort();
                RedisServer server = RedisServer.newRedisServer()
                    .bind("127.0.0.1")
                    .port(port)
                    .setting("save \"\"")
                    .setting("appendonly no")
                    .build();
                server.start();
                return new EmbeddedRedisServer(server, port);
            }
            catch (IOException ex) {
                last = ex;
            }
        }
        throw new IllegalStateException("Could not start an embedded Redis; set spring.data.redis.host (and port) "
                + "to use a running server instead", last);
    }

    /** Return {@code 127.0.0.1:<port>}. */
    public String address() {
        return "127.0.0.1:" + this.port;
    }

    /** Return the {@code spring.data.redis.*} properties that point at this server. */
    Map<String, Object> springProperties() {
        return Map.of("spring.data.redis.host", "127.0.0.1", "spring.data.redis.port", this.port);
    }

    @Override
    public void close() throws IOException {
        this.server.stop();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

}
