package dev.dualwrite.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.awaitility.core.ConditionTimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static org.awaitility.Awaitility.await;

/**
 * A TCP proxy on a loopback port in front of a real server, whose faults the test switches:
 * refused connections, dropped connections, delay and a black hole. Every switch takes effect
 * at once on existing and new connections and may be called any number of times;
 * {@link #restore()} undoes them all, listening on the same port again.
 * <p>
 * Blocking I/O with one thread per direction and {@code TCP_NODELAY}, so it adds no noticeable
 * latency and handles a connection pool's worth of connections.
 */
public final class TcpProxy implements AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(TcpProxy.class);

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private static final int BUFFER_SIZE = 64 * 1024;

    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;

    private final String targetHost;

    private final int targetPort;

    private final int port;

    private final ExecutorService threads;

    private final Set<Link> links = ConcurrentHashMap.newKeySet();

    /** Guards the waits of forwarding threads on {@link #blackhole} and {@link #delayNanos}. */
    private final Object gate = new Object();

    private volatile @Nullable ServerSocket listener;

    private volatile @Nullable Future<?> acceptLoop;

    private volatile boolean blackhole;

    private volatile long delayNanos;

    private volatile boolean closed;

    private TcpProxy(String targetHost, int targetPort) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        AtomicInteger count = new AtomicInteger();
        this.threads = Executors.newCachedThreadPool((task) -> {
            Thread thread = new Thread(task, "tcp-proxy-" + targetPort + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        ServerSocket socket = bindOutsideEphemeralRange();
        this.port = socket.getLocalPort();
        listen(socket);
    }

    /**
     * Start a proxy on an ephemeral loopback port that forwards to {@code targetHost:targetPort}.
     * @param targetHost host of the real server
     * @param targetPort port of the real server
     * @return the running proxy; close it after the test
     */
    public static TcpProxy start(String targetHost, int targetPort) {
        try {
            return new TcpProxy(targetHost, targetPort);
        }
        catch (IOException ex) {
            throw new IllegalStateException("Could not start a proxy to " + targetHost + ":" + targetPort, ex);
        }
    }

    /** Return the host clients connect to: the loopback address, {@code 127.0.0.1}. */
    public String host() {
        return LOOPBACK.getHostAddress();
    }

    /** Return the port clients connect to; it stays the same across {@link #refuseConnections()}/{@link #restore()}. */
    public int port() {
        return this.port;
    }

    /** Return how many client connections are open through the proxy right now. */
    public int connectionCount() {
        return this.links.size();
    }

    /**
     * Stop listening, so new connections are refused by the operating system, and drop every
     * existing connection, as if the server had died.
     */
    public synchronized void refuseConnections() {
        closeListener();
        dropConnections();
        logger.debug("Proxy {} refuses connections", this);
    }

    /** Reset every open connection (TCP RST) at once; new connections are still accepted. */
    public void dropConnections() {
        for (Link link : List.copyOf(this.links)) {
            link.close(true);
        }
    }

    /**
     * Hold every chunk of data for {@code delay} before forwarding it, in both directions, so
     * each request/response round trip takes at least twice as long; bulk transfers slow down
     * more. {@link Duration#ZERO} forwards at once again, including data already waiting.
     * @param delay the delay, not negative
     */
    public void delay(Duration delay) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative");
        }
        synchronized (this.gate) {
            this.delayNanos = delay.toNanos();
            this.gate.notifyAll();
        }
    }

    /**
     * Whether to keep accepting and holding connections while forwarding nothing, so clients
     * hang until their own timeouts, as behind a network partition. Data held meanwhile is
     * forwarded when the black hole ends, as TCP would retransmit it.
     * @param enabled whether data stops flowing
     */
    public void blackhole(boolean enabled) {
        synchronized (this.gate) {
            this.blackhole = enabled;
            this.gate.notifyAll();
        }
    }

    /**
     * Lose every open connection without telling its client, as a partition that outlasts
     * the server (restarted or failed over meanwhile) or a firewall's or NAT's memory of the
     * connection does: the target's side is closed, data held or still to come from the
     * client is dropped, and the client's side stays open with nothing ever arriving on it (no
     * FIN, no RST), so a client blocked in a read waits for its own timeout even once the
     * proxy forwards again. New connections work as usual; {@link #close()} closes the lost
     * ones.
     */
    public void loseConnectionsSilently() {
        for (Link link : List.copyOf(this.links)) {
            link.lose();
        }
        synchronized (this.gate) {
            this.gate.notifyAll();
        }
    }

    /** Back to normal: listening on the same port, no delay, no black hole. Existing connections are kept. */
    public synchronized void restore() {
        if (this.closed) {
            throw new IllegalStateException("Proxy " + this + " is closed");
        }
        delay(Duration.ZERO);
        blackhole(false);
        if (this.listener == null) {
            listen(rebind());
        }
        logger.debug("Proxy {} restored", this);
    }

    /** Stop listening, drop every connection and stop all threads. */
    @Override
    public synchronized void close() {
        this.closed = true;
        closeListener();
        dropConnections();
        blackhole(false);
        this.threads.shutdownNow();
    }

    @Override
    public String toString() {
        return "127.0.0.1:" + this.port + " -> " + this.targetHost + ":" + this.targetPort;
    }

    private ServerSocket rebind() {
        // The port was ours a moment ago; another process taking it meanwhile is unlikely, but
        // a short retry rides out a socket the kernel has not fully released.
        AtomicReference<ServerSocket> bound = new AtomicReference<>();
        try {
            await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20)).ignoreExceptions().until(() -> {
                bound.set(bind(this.port));
                return true;
            });
        }
        catch (ConditionTimeoutException ex) {
            throw new IllegalStateException("Proxy " + this + " could not listen on port " + this.port + " again", ex);
        }
        return bound.get();
    }

    /**
     * Listen on a random port below the operating systems' ephemeral ranges (Linux from 32768,
     * others from 49152), so that while refusing, no outgoing connection of this machine takes
     * the port as its source port, which would block {@link #restore()} or even connect a client
     * to itself.
     */
    private static ServerSocket bindOutsideEphemeralRange() throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            try {
                return bind(ThreadLocalRandom.current().nextInt(15_000, 32_768));
            }
            catch (IOException ex) {
                // taken: try another
            }
        }
        return bind(0);
    }

    private static ServerSocket bind(int port) throws IOException {
        ServerSocket socket = new ServerSocket();
        try {
            // Re-listening on the same port must not wait for old connections in TIME_WAIT.
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(LOOPBACK, port), 512);
            return socket;
        }
        catch (IOException ex) {
            socket.close();
            throw ex;
        }
    }

    private void listen(ServerSocket socket) {
        this.listener = socket;
        this.acceptLoop = this.threads.submit(() -> accept(socket));
    }

    private void closeListener() {
        ServerSocket socket = this.listener;
        Future<?> loop = this.acceptLoop;
        this.listener = null;
        this.acceptLoop = null;
        if (socket != null) {
            closeQuietly(socket);
        }
        if (loop != null) {
            // The JDK only releases a listening socket once the thread blocked in accept() has
            // left it; until then the kernel still completes handshakes. Wait, so that
            // connections are refused as soon as refuseConnections() returns.
            try {
                loop.get(5, TimeUnit.SECONDS);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            catch (ExecutionException | TimeoutException ex) {
                logger.warn("Proxy {}: accept loop did not stop cleanly", this, ex);
            }
        }
    }

    private void accept(ServerSocket socket) {
        while (!socket.isClosed()) {
            Socket client;
            try {
                client = socket.accept();
            }
            catch (IOException ex) {
                if (!socket.isClosed()) { // not closed by refuseConnections() or close(): keep serving
                    logger.warn("Proxy {} could not accept a connection", this, ex);
                    pauseBeforeNextAccept();
                }
                continue;
            }
            Link link = new Link(client);
            this.links.add(link);
            if (socket.isClosed()) { // refused meanwhile
                link.close(true);
                continue;
            }
            try {
                this.threads.execute(link::connectAndForward);
            }
            catch (RuntimeException ex) { // rejected: the proxy is closing
                link.close(true);
            }
        }
    }

    /** Wait until data that {@code link} read at {@code readAt} (nano time) may be forwarded. */
    private void awaitForwarding(Link link, long readAt) throws InterruptedException {
        if (!this.blackhole && this.delayNanos == 0) {
            return; // the common case costs two volatile reads
        }
        synchronized (this.gate) {
            while (!this.closed && !link.closed) {
                long waitNanos = this.blackhole ? Long.MAX_VALUE : readAt + this.delayNanos - System.nanoTime();
                if (waitNanos <= 0) {
                    return;
                }
                // Woken by delay(), blackhole() and closing links, so a change applies to data already waiting.
                this.gate.wait(Math.max(1, Math.min(waitNanos / 1_000_000, 1_000)));
            }
        }
    }

    // An accept that keeps failing (out of file descriptors, say) is not retried in a busy
    // loop; closing the proxy cuts the pause short.
    private void pauseBeforeNextAccept() {
        synchronized (this.gate) {
            if (this.closed) {
                return;
            }
            try {
                this.gate.wait(10);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        }
        catch (Exception ex) {
            // Closing is best effort: the socket may be gone already.
        }
    }

    /** One client connection and its connection to the target. */
    private final class Link {

        private final Socket client;

        private final Socket upstream = new Socket();

        private final AtomicInteger openDirections = new AtomicInteger(2);

        private volatile boolean closed;

        // Lost silently: the target's side is gone, the client's kept open and silent.
        private volatile boolean lost;

        Link(Socket client) {
            this.client = client;
        }

        void connectAndForward() {
            try {
                this.client.setTcpNoDelay(true);
                this.upstream.setTcpNoDelay(true);
                this.upstream.connect(new InetSocketAddress(TcpProxy.this.targetHost, TcpProxy.this.targetPort),
                        CONNECT_TIMEOUT_MILLIS);
            }
            catch (IOException ex) {
                logger.debug("Proxy {} could not reach its target: {}", TcpProxy.this, ex.toString());
                close(true);
                return;
            }
            if (this.closed) {
                close(true); // dropped while connecting: make sure the new upstream socket goes too
                return;
            }
            try {
                TcpProxy.this.threads.execute(() -> forward(this.upstream, this.client));
            }
            catch (RuntimeException ex) {
                close(true);
                return;
            }
            forward(this.client, this.upstream);
        }

        private void forward(Socket from, Socket to) {
            byte[] buffer = new byte[BUFFER_SIZE];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                int read;
                while ((read = in.read(buffer)) != -1) {
                    awaitForwarding(this, System.nanoTime());
                    if (this.lost) {
                        continue; // swallowed: the client keeps writing into the void
                    }
                    out.write(buffer, 0, read);
                }
                if (this.lost) {
                    return;
                }
                // End of stream: pass the half-close on, let the other direction finish.
                to.shutdownOutput();
                if (this.openDirections.decrementAndGet() == 0) {
                    close(false);
                }
            }
            catch (IOException ex) {
                if (this.lost && !this.closed) {
                    return; // the target's side was closed by lose(): the client hears nothing
                }
                close(true); // reset by a peer, or closed by dropConnections(): end both directions
            }
            catch (InterruptedException ex) {
                close(true);
                Thread.currentThread().interrupt();
            }
        }

        /** Close the target's side only, leaving the client's open and silent. */
        void lose() {
            this.lost = true;
            closeQuietly(this.upstream);
        }

        /** Close both sockets, with a TCP reset when {@code abort}, as a crashed peer would. */
        void close(boolean abort) {
            this.closed = true;
            TcpProxy.this.links.remove(this);
            for (Socket socket : new Socket[] { this.client, this.upstream }) {
                if (abort) {
                    try {
                        socket.setSoLinger(true, 0);
                    }
                    catch (IOException ex) {
                        // already closed
                    }
                }
                closeQuietly(socket);
            }
            synchronized (TcpProxy.this.gate) {
                TcpProxy.this.gate.notifyAll(); // a forwarding thread held by a delay or black hole may now stop
            }
        }

    }

}
