package dev.dualwrite.testsupport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.awaitility.Awaitility.await;

/**
 * A Redis Cluster of masters that a test starts itself ({@code redis-server --cluster-enabled
 * yes}, no replicas, nothing on disk) on free loopback ports, each with its cluster bus port
 * free too, so that parallel builds and other tests' clusters never collide; closing it stops
 * the nodes and removes their directory.
 */
public final class RedisCluster implements AutoCloseable {

    private final int[] ports;

    private final List<Process> nodes;

    private final Path directory;

    private final LettuceConnectionFactory connections;

    private RedisCluster(int[] ports, List<Process> nodes, Path directory, LettuceConnectionFactory connections) {
        this.ports = ports;
        this.nodes = nodes;
        this.directory = directory;
        this.connections = connections;
    }

    /**
     * Return whether {@code redis-server} can be run here (tests that need a cluster are
     * skipped otherwise).
     * @return whether it is installed
     */
    public static boolean serverInstalled() {
        try {
            return new ProcessBuilder("redis-server", "--version").start().waitFor() == 0;
        }
        catch (IOException ex) {
            return false;
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Start the nodes, join them into a cluster and wait until it answers
     * {@code cluster_state:ok}.
     * @param masters how many masters
     * @return the running cluster, with a started connection factory
     */
    public static RedisCluster start(int masters) throws Exception {
        int[] ports = freePorts(masters);
        Path directory = Files.createTempDirectory("dualwrite-cluster");
        List<Process> nodes = new ArrayList<>();
        List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
        List<String> addresses = new ArrayList<>();
        for (int port : ports) {
            Path dir = Files.createDirectories(directory.resolve(String.valueOf(port)));
            nodes.add(new ProcessBuilder("redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1",
                    "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--appendonly", "no",
                    "--save", "", "--dir", dir.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("out.log").toFile())
                .start());
            create.add("127.0.0.1:" + port);
            addresses.add("127.0.0.1:" + port);
        }
        for (int port : ports) {
            awaitListening(port);
        }
        create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
        Process creation = new ProcessBuilder(create).redirectErrorStream(true)
            .redirectOutput(directory.resolve("create.log").toFile())
            .start();
        if (!creation.waitFor(60, TimeUnit.SECONDS) || creation.exitValue() != 0) {
            throw new IllegalStateException("redis-cli --cluster create failed: "
                    + Files.readString(directory.resolve("create.log")));
        }
        awaitClusterOk(ports[0]);
        LettuceConnectionFactory connections = new LettuceConnectionFactory(new RedisClusterConfiguration(addresses));
        connections.afterPropertiesSet();
        connections.start();
        return new RedisCluster(ports, nodes, directory, connections);
    }

    /**
     * Return the port of the first master, for a client to start from.
     * @return the port
     */
    public int firstPort() {
        return this.ports[0];
    }

    /**
     * Return a started connection factory to the cluster; closing the cluster destroys it.
     * @return the connection factory
     */
    public LettuceConnectionFactory connections() {
        return this.connections;
    }

    @Override
    public void close() throws Exception {
        this.connections.destroy();
        for (Process node : this.nodes) {
            node.destroy();
            if (!node.waitFor(10, TimeUnit.SECONDS)) {
                node.destroyForcibly();
            }
        }
        try (Stream<Path> files = Files.walk(this.directory)) {
            files.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
        }
    }

    private static int[] freePorts(int count) {
        int[] ports = new int[count];
        int found = 0;
        while (found < count) {
            int port = ThreadLocalRandom.current().nextInt(20_000, 30_000);
            boolean taken = false;
            for (int i = 0; i < found; i++) {
                taken |= ports[i] == port;
            }
            if (!taken && free(port) && free(port + 10_000)) {
                ports[found++] = port;
            }
        }
        return ports;
    }

    private static boolean free(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        }
        catch (IOException ex) {
            return false;
        }
    }

    private static void awaitListening(int port) {
        await("redis-server listening on port " + port).atMost(Duration.ofSeconds(10)).ignoreExceptions()
            .until(() -> {
                try (Socket socket = new Socket("127.0.0.1", port)) {
                    return true;
                }
            });
    }

    private static void awaitClusterOk(int port) {
        await("the test cluster reaching cluster_state:ok").atMost(Duration.ofSeconds(20))
            .pollInterval(Duration.ofMillis(200))
            .until(() -> {
                Process info = new ProcessBuilder("redis-cli", "-p", String.valueOf(port), "cluster", "info").start();
                String out = new String(info.getInputStream().readAllBytes());
                info.waitFor();
                return out.contains("cluster_state:ok");
            });
    }

}
