package dev.dualwrite.core.backfill;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.springframework.util.Assert;

/**
 * A running (or finished) backfill of one or more repositories, one after the other in the
 * resolved order, with the operator's controls. Pause, resume, stop and the rate limit apply
 * to the repository being copied and to those after it.
 */
public final class BackfillJob {

    private final String id;

    private final List<RepositoryBackfill<?, ?, ?>> runs;

    private final Map<String, List<String>> dependencies;

    private final BackfillControl control;

    private final BackfillOptions options;

    private final Instant startedAt = Instant.now();

    private final CompletableFuture<BackfillJobReport> result = new CompletableFuture<>();

    BackfillJob(String id, List<RepositoryBackfill<?, ?, ?>> runs, Map<String, List<String>> dependencies,
            BackfillControl control, BackfillOptions options) {
        this.id = id;
        this.runs = List.copyOf(runs);
        this.dependencies = dependencies;
        this.control = control;
        this.options = options;
    }

    void execute() {
        List<BackfillReport> reports = new ArrayList<>();
        try {
            for (RepositoryBackfill<?, ?, ?> run : this.runs) {
                String blocker = blocker(run);
                if (this.control.isStopRequested()) {
                    run.skip("the job was stopped before this repository's turn");
                }
                else if (blocker != null) {
                    run.skip(blocker);
                }
                else {
                    reports.add(run.run());
                    continue;
                }
                reports.add(run.report());
            }
            this.result.complete(new BackfillJobReport(this.id, reports));
        }
        catch (RuntimeException | Error ex) {
            this.result.completeExceptionally(ex);
            throw ex;
        }
    }

    private String blocker(RepositoryBackfill<?, ?, ?> run) {
        for (String dependency : this.dependencies.getOrDefault(run.name(), List.of())) {
            for (RepositoryBackfill<?, ?, ?> other : this.runs) {
                if (other.name().equals(dependency) && other.state() != BackfillState.COMPLETED) {
                    return "it depends on '" + dependency + "', whose backfill did not complete ("
                            + other.state().name().toLowerCase(Locale.ROOT) + ")";
                }
            }
        }
        return null;
    }

    /** Return the job's id. */
    public String id() {
        return this.id;
    }

    /** Return when the job started. */
    public Instant startedAt() {
        return this.startedAt;
    }

    /** Return the options the job runs with (the rate limit as it was at the start). */
    public BackfillOptions options() {
        return this.options;
    }

    /** Return the repositories in the order they run. */
    public List<String> repositories() {
        return this.runs.stream().map(RepositoryBackfill::name).toList();
    }

    /** Return the progress of every repository of the job. */
    public List<BackfillProgress> progress() {
        return this.runs.stream().map(RepositoryBackfill::progress).toList();
    }

    /** Pause after the batches in flight; a paused job holds no Redis or PostgreSQL connection. */
    public void pause() {
        this.control.pause();
    }

    public void resume() {
        this.control.resume();
    }

    /** Stop after the batches in flight; the checkpoint keeps the position for the next start. */
    public void stop() {
        this.control.stop();
    }

    /** Tell whether the job was asked to pause (and not resumed since). */
    public boolean isPaused() {
        return this.control.isPaused();
    }

    /**
     * Change the rate limit; takes effect within 50 ms.
     * @param rowsPerSecond rows read per second at most; 0 for no limit
     */
    public void setRateLimit(double rowsPerSecond) {
        Assert.isTrue(rowsPerSecond >= 0, "rowsPerSecond must not be negative");
        this.control.limiter().setRate(rowsPerSecond);
    }

    /** Return the rate limit in force, 0 for none. */
    public double rateLimit() {
        return this.control.limiter().rate();
    }

    public boolean isDone() {
        return this.result.isDone();
    }

    /** Return where the job as a whole stands; each repository's state is in {@link #progress()}. */
    public State state() {
        return isDone() ? State.DONE : isPaused() ? State.PAUSED : State.RUNNING;
    }

    /**
     * Where a job stands. {@code DONE} says nothing about success: each repository's
     * {@link BackfillState} does.
     */
    public enum State {

        /** Copying, or waiting to copy, its repositories. */
        RUNNING,

        /** Paused by the operator. */
        PAUSED,

        /** Every repository of the job has ended, in whatever state. */
        DONE

    }

    /** Wait for the job to end and return its report. */
    public BackfillJobReport await() {
        try {
            return this.result.get();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for backfill job " + this.id, ex);
        }
        catch (ExecutionException ex) {
            throw new IllegalStateException("Backfill job " + this.id + " failed", ex.getCause());
        }
    }

    /**
     * Wait at most {@code timeout} for the job to end.
     * @param timeout how long to wait
     * @return the report
     * @throws IllegalStateException when it did not end in time
     */
    public BackfillJobReport await(Duration timeout) {
        try {
            return this.result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (TimeoutException ex) {
            throw new IllegalStateException("Backfill job " + this.id + " did not end within " + timeout, ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for backfill job " + this.id, ex);
        }
        catch (ExecutionException ex) {
            throw new IllegalStateException("Backfill job " + this.id + " failed", ex.getCause());
        }
    }

    void tick() {
        this.runs.forEach(RepositoryBackfill::tick);
    }

}
