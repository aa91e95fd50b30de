package dev.dualwrite.core.store;

import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Time-limited store work that a watchdog may end from another thread when an interrupt
 * does not: a PostgreSQL JDBC socket read ignores interrupts and, with the driver's default
 * {@code socketTimeout} of 0, waits as long as a silent server keeps the connection open.
 * <p>
 * The thread that runs the work {@link #run runs it in} a scope; store code running in it
 * {@link #onAbort registers} how to end what it may block on (aborting the PostgreSQL
 * connection of its transaction) for as long as it holds that resource; the watchdog calls
 * {@link #abort()}. Registration and abort are serialised, so a resource handed back (a
 * connection returned to its pool) is never aborted afterwards.
 */
public final class AbortScope {

    private static final Logger logger = LoggerFactory.getLogger(AbortScope.class);

    private static final ThreadLocal<AbortScope> current = new ThreadLocal<>();

    private final List<Runnable> actions = new ArrayList<>();

    private boolean aborted;

    private boolean closed;

    private AbortScope() {
    }

    /**
     * Create a scope for work about to run, on this thread or another ({@link #run}).
     * @return a scope bound to no thread yet
     */
    public static AbortScope create() {
        return new AbortScope();
    }

    /**
     * Run {@code work} on the current thread inside this scope, then close the scope.
     * @param work the time-limited work
     */
    public void run(Runnable work) {
        AbortScope outer = current.get();
        current.set(this);
        try {
            work.run();
        }
        finally {
            close();
            if (outer != null) {
                current.set(outer);
            }
        }
    }

    /**
     * Return whether the current thread runs in a scope.
     * @return whether {@link #onAbort} would register anything
     */
    public static boolean isOpen() {
        return current.get() != null;
    }

    /**
     * Register how to end what the current thread is about to block on, if it runs in a
     * scope; run it at once when the scope was aborted already.
     * @param action ends the resource's blocking calls from another thread; must not block
     * @return what takes the action back, before the resource is handed back
     */
    public static Registration onAbort(Runnable action) {
        AbortScope scope = current.get();
        if (scope == null) {
            return () -> {
            };
        }
        boolean runNow;
        synchronized (scope) {
            runNow = scope.aborted;
            if (!runNow && !scope.closed) {
                scope.actions.add(action);
            }
        }
        if (runNow) {
            runQuietly(action);
            return () -> {
            };
        }
        return () -> {
            synchronized (scope) {
                scope.actions.remove(action);
            }
        };
    }

    /**
     * Run every registered action, now and for registrations still to come; a no-op once
     * the scope is closed.
     */
    public void abort() {
        // Actions run under the lock: a registration cannot be taken back (and its resource
        // handed back) while its action runs.
        synchronized (this) {
            if (this.closed || this.aborted) {
                return;
            }
            this.aborted = true;
            for (Runnable action : List.copyOf(this.actions)) {
                runQuietly(action);
            }
            this.actions.clear();
        }
    }

    // Ends the scope: later aborts do nothing.
    private void close() {
        if (current.get() == this) {
            current.remove();
        }
        synchronized (this) {
            this.closed = true;
            this.actions.clear();
        }
    }

    private static void runQuietly(Runnable action) {
        try {
            action.run();
        }
        catch (RuntimeException ex) {
            logger.debug("Aborting hung store work failed", ex);
        }
    }

    /**
     * Takes an abort action back.
     */
    @FunctionalInterface
    public interface Registration {

        /**
         * Take the action back; call before handing the resource back.
         */
        void remove();

    }

}
