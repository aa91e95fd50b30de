package dev.dualwrite.control;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import dev.dualwrite.control.app.Ticket;
import dev.dualwrite.control.app.redis.TicketRepository;

import static org.awaitility.Awaitility.await;

/**
 * Writer threads that keep writing through the instances' own repositories while the
 * stages move. Each thread creates, updates and deletes keys that it alone writes, one call
 * at a time, so the expected state of each of them is exact: it is recorded only once the
 * call has returned, and a call that failed leaves its key uncertain (left out of the
 * comparison) until the next call on it succeeds. All threads also write a few shared hot
 * keys, whose final value is whichever write came last: only the stores' agreement on them is
 * checked.
 * <p>
 * The writers can be held at a barrier: every call begun has returned and none begins until
 * the check run there ends.
 */
final class LiveWriters implements AutoCloseable {

    private static final int HOT_SHARE_PERCENT = 10;

    private final List<Writer> writers = new ArrayList<>();

    private final List<String> hotKeys = new ArrayList<>();

    // Fair: a waiting barrier is not starved by writers that keep taking the read side.
    private final ReentrantReadWriteLock barrier = new ReentrantReadWriteLock(true);

    private final AtomicBoolean running = new AtomicBoolean(true);

    private final Map<String, LongAdder> writesByPhase = new ConcurrentHashMap<>();

    private final List<String> phases = new ArrayList<>();

    private final AtomicLong writes = new AtomicLong();

    private final Queue<String> failures = new ConcurrentLinkedQueue<>();

    private final ExecutorService threads;

    private final List<Future<?>> tasks = new ArrayList<>();

    private volatile LongAdder current;

    /**
     * @param instances the instances to write through
     * @param threadsPerInstance writer threads per instance
     * @param keysPerThread keys each thread owns
     * @param hotKeys keys every thread writes
     */
    LiveWriters(List<TicketInstance> instances, int threadsPerInstance, int keysPerThread, int hotKeys) {
        for (int i = 0; i < hotKeys; i++) {
            this.hotKeys.add("hot-" + i);
        }
        for (TicketInstance instance : instances) {
            for (int t = 0; t < threadsPerInstance; t++) {
                this.writers.add(new Writer(instance.id() + "-w" + t, instance.tickets(), keysPerThread));
            }
        }
        this.threads = Executors.newFixedThreadPool(this.writers.size());
        phase("start");
    }

    /** Start every writer. */
    void start() {
        for (Writer writer : this.writers) {
            this.tasks.add(this.threads.submit(writer::run));
        }
    }

    /** Count the writes from now on under {@code name}. */
    synchronized void phase(String name) {
        this.phases.add(name);
        LongAdder adder = new LongAdder();
        this.writesByPhase.put(name, adder);
        this.current = adder;
    }

    /** Wait until the writers have made {@code count} more calls that succeeded. */
    void awaitWrites(long count) {
        long target = this.writes.get() + count;
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10)).until(() -> this.writes.get() >= target);
    }

    /**
     * Hold every writer at the barrier, run {@code check}, then let them go on.
     * @param check what to run while no call is in flight
     */
    void whilePaused(Runnable check) {
        this.barrier.writeLock().lock();
        try {
            check.run();
        }
        finally {
            this.barrier.writeLock().unlock();
        }
    }

    /**
     * Return the expected state of every owned key whose last call succeeded: its value, or
     * empty when it was deleted or never created. Call while the writers are paused.
     */
    Map<String, Optional<Ticket>> expected() {
        Map<String, Optional<Ticket>> expected = new HashMap<>();
        this.writers.forEach((writer) -> expected.putAll(writer.known));
        return expected;
    }

    List<String> hotKeys() {
        return this.hotKeys;
    }

    long writes() {
        return this.writes.get();
    }

    /** Calls that succeeded, by phase, in the order the phases began. */
    synchronized Map<String, Long> writesByPhase() {
        Map<String, Long> counts = new LinkedHashMap<>();
        this.phases.forEach((phase) -> counts.put(phase, this.writesByPhase.get(phase).sum()));
        return counts;
    }

    /** Calls that failed, with why. */
    List<String> failures() {
        return List.copyOf(this.failures);
    }

    /** Creates, updates and deletes of owned keys, summed over the writers. */
    String operations() {
        long creates = this.writers.stream().mapToLong((writer) -> writer.creates).sum();
        long updates = this.writers.stream().mapToLong((writer) -> writer.updates).sum();
        long deletes = this.writers.stream().mapToLong((writer) -> writer.deletes).sum();
        long hot = this.writers.stream().mapToLong((writer) -> writer.hot).sum();
        return creates + " creates, " + updates + " updates, " + deletes + " deletes of owned keys, " + hot
                + " writes of hot keys";
    }

    /** Stop the writers and wait for their last calls. */
    @Override
    public void close() throws Exception {
        this.running.set(false);
        try {
            for (Future<?> writer : this.tasks) {
                writer.get(60, TimeUnit.SECONDS);
            }
        }
        finally {
            this.threads.shutdownNow();
        }
    }

    private final class Writer {

        private final String name;

        private final TicketRepository tickets;

        private final List<String> owned = new ArrayList<>();

        // Absent for an uncertain key. Written by this writer only; read at the barrier.
        private final Map<String, Optional<Ticket>> known = new ConcurrentHashMap<>();

        private long version;

        private volatile long creates;

        private volatile long updates;

        private volatile long deletes;

        private volatile long hot;

        Writer(String name, TicketRepository tickets, int keys) {
            this.name = name;
            this.tickets = tickets;
            for (int i = 0; i < keys; i++) {
                String id = name + "-" + i;
                this.owned.add(id);
                // Never written yet: absent from both stores, which it must stay until created.
                this.known.put(id, Optional.empty());
            }
        }

        void run() {
            while (LiveWriters.this.running.get()) {
                LiveWriters.this.barrier.readLock().lock();
                try {
                    if (ThreadLocalRandom.current().nextInt(100) < HOT_SHARE_PERCENT) {
                        writeHotKey();
                    }
                    else {
                        writeOwnedKey();
                    }
                }
                finally {
                    LiveWriters.this.barrier.readLock().unlock();
                }
            }
        }

        private void writeOwnedKey() {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            String id = this.owned.get(random.nextInt(this.owned.size()));
            Optional<Ticket> before = this.known.remove(id);
            try {
                if (before == null || before.isEmpty()) {
                    Ticket ticket = new Ticket(id, this.name, ++this.version);
                    this.tickets.save(ticket);
                    this.known.put(id, Optional.of(ticket));
                    this.creates++;
                }
                else if (random.nextInt(3) == 0) {
                    this.tickets.deleteById(id);
                    this.known.put(id, Optional.empty());
                    this.deletes++;
                }
                else {
                    Ticket ticket = new Ticket(id, this.name, ++this.version);
                    this.tickets.save(ticket);
                    this.known.put(id, Optional.of(ticket));
                    this.updates++;
                }
                succeeded();
            }
            catch (RuntimeException ex) {
                failed(id, ex);
            }
        }

        private void writeHotKey() {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            String id = LiveWriters.this.hotKeys.get(random.nextInt(LiveWriters.this.hotKeys.size()));
            try {
                if (random.nextInt(10) == 0) {
                    this.tickets.deleteById(id);
                }
                else {
                    this.tickets.save(new Ticket(id, this.name, ++this.version));
                }
                this.hot++;
                succeeded();
            }
            catch (RuntimeException ex) {
                failed(id, ex);
            }
        }

        private void succeeded() {
            LiveWriters.this.writes.incrementAndGet();
            LiveWriters.this.current.increment();
        }

        private void failed(String id, RuntimeException ex) {
            LiveWriters.this.failures.add(this.name + " on " + id + ": " + ex);
        }

    }

}
