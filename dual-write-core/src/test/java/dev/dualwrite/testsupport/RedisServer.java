package dev.dualwrite.testsupport;

/**
 * A Redis server that tests may use, as chosen by {@link TestServers#redis()}.
 * @param host host name or address
 * @param port TCP port
 * @param origin where the server comes from: one of the {@code TestServers.ORIGIN_*} values
 */
public record RedisServer(String host, int port, String origin) {

    /** Return the server as a {@code redis://host:port} URI, as Lettuce and Spring take it. */
    public String uri() {
        return "redis://" + this.host + ":" + this.port;
    }

}
