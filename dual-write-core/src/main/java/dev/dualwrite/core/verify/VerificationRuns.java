package dev.dualwrite.core.verify;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import dev.dualwrite.core.pair.DualRepository;
import dev.dualwrite.core.repair.FailureReason;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.util.Assert;

/**
 * Verifications started in the background (for example from the actuator endpoint), one at
 * a time, with their progress while they run and their reports once done. Keeps the most
 * recent runs only in memory; when the verifier keeps its reports in a
 * {@link VerificationStore}, a run this instance no longer holds (or never ran: another
 * instance, a background pass, a time before a restart) is read from there.
 */
public class VerificationRuns implements AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(VerificationRuns.class);

    private final Verifier verifier;

    private final int keep;

    private final Clock clock;

    private final ExecutorService executor = Executors.newSingleThreadExecutor((task) -> {
        Thread thread = new Thread(task, "dualwrite-verifier");
        thread.setDaemon(true);
        return thread;
    });

    private final Map<String, Run> runs = Collections.synchronizedMap(new LinkedHashMap<>());

    /**
     * @param verifier the verifier
     * @param keep how many finished runs to keep
     */
    public VerificationRuns(Verifier verifier, int keep) {
        Assert.notNull(verifier, "verifier must not be null");
        Assert.isTrue(keep > 0, "keep must be positive");
        this.verifier = verifier;
        this.keep = keep;
        this.clock = Clock.systemUTC();
    }

    /**
     * Queue a verification; runs execute one after the other.
     * @param repository the repository to verify
     * @param options what to compare
     * @param startedBy who asked, for the log and the status
     * @return the run's status
     */
    public RunStatus start(DualRepository<?, ?, ?> repository, VerifyOptions options, String startedBy) {
        Run run = new Run(UUID.randomUUID().toString(), repository.name(), options, startedBy, this.clock.instant());
        this.runs.put(run.id, run);
        trim();
        this.executor.execute(() -> {
            run.state.set(State.RUNNING);
            try {
                run.report = this.verifier.verify(repository, options, run.progress::set, startedBy, run.id, false);
                run.state.set(run.report.error() == null ? State.DONE : State.FAILED);
            }
            catch (RuntimeException ex) {
                run.failure = FailureReason.describe(ex);
                run.state.set(State.FAILED);
            }
        });
        return run.status();
    }

    /**
     * Return the status of a run.
     * @param id the run id
     * @return its status, or empty for an unknown run
     */
    public Optional<RunStatus> status(String id) {
        Optional<RunStatus> held = Optional.ofNullable(this.runs.get(id)).map(Run::status);
        return held.isPresent() ? held : stored((store) -> store.status(id));
    }

    /**
     * Return the report of a finished run.
     * @param id the run id
     * @return the report, or empty while the run is not finished or for an unknown run; one
     * read from the store lists no values
     */
    public Optional<VerificationReport> report(String id) {
        Run run = this.runs.get(id);
        if (run != null) {
            return Optional.ofNullable(run.report);
        }
        return stored((store) -> store.report(id));
    }

    /**
     * Return the status of every run held in memory and of the newest stored ones (as many as
     * this instance keeps of the operators' and as many of the background passes), oldest
     * first.
     * @return the statuses
     */
    public List<RunStatus> all() {
        List<RunStatus> held;
        synchronized (this.runs) {
            held = this.runs.values().stream().map(Run::status).toList();
        }
        Set<String> ids = new HashSet<>();
        held.forEach((status) -> ids.add(status.id()));
        // Operators' verifications and background passes each up to the number kept: passes
        // coming one after the other must not push an operator's run out of the list.
        List<RunStatus> stored = new ArrayList<>();
        stored((store) -> Optional.of(store.recent(null, false, this.keep))).ifPresent(stored::addAll);
        stored((store) -> Optional.of(store.recent(null, true, this.keep))).ifPresent(stored::addAll);
        List<RunStatus> all = new ArrayList<>(stored.stream().filter((status) -> !ids.contains(status.id())).toList());
        all.addAll(held);
        all.sort(Comparator.comparing(RunStatus::requestedAt));
        return all;
    }

    // PostgreSQL may be down: the runs in memory are still served.
    private <T> Optional<T> stored(Function<VerificationStore, Optional<T>> read) {
        VerificationStore store = this.verifier.store();
        if (store == null) {
            return Optional.empty();
        }
        try {
            return read.apply(store);
        }
        catch (RuntimeException ex) {
            logger.warn("dual-write verify: could not read stored verifications ({})", FailureReason.describe(ex));
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        this.executor.shutdownNow();
    }

    private void trim() {
        synchronized (this.runs) {
            List<String> finished = new ArrayList<>();
            this.runs.values().forEach((run) -> {
                if (run.state.get() == State.DONE || run.state.get() == State.FAILED) {
                    finished.add(run.id);
                }
            });
            for (int i = 0; i < finished.size() - this.keep; i++) {
                this.runs.remove(finished.get(i));
            }
        }
    }

    /** Where a run stands. */
    public enum State {

        QUEUED, RUNNING, DONE, FAILED

    }

    /**
     * The status of one run.
     * @param id the run id
     * @param repository the repository verified
     * @param mode the mode
     * @param startedBy who asked
     * @param requestedAt when
     * @param state where it stands
     * @param progress its progress, once running
     * @param summary the report's one-line summary, once done
     * @param agree whether the stores agree, once done
     * @param differences how many differences were found, once done
     * @param failure why it failed, if it did
     */
    public record RunStatus(String id, String repository, VerifyMode mode, String startedBy, Instant requestedAt,
            State state, @Nullable VerificationProgress progress, @Nullable String summary, @Nullable Boolean agree,
            @Nullable Long differences, @Nullable String failure) {
    }

    private static final class Run {

        private final String id;

        private final String repository;

        private final VerifyOptions options;

        private final String startedBy;

        private final Instant requestedAt;

        private final AtomicReference<State> state = new AtomicReference<>(State.QUEUED);

        private final AtomicReference<@Nullable VerificationProgress> progress = new AtomicReference<>();

        private volatile @Nullable VerificationReport report;

        private volatile @Nullable String failure;

        Run(String id, String repository, VerifyOptions options, String startedBy, Instant requestedAt) {
            this.id = id;
            this.repository = repository;
            this.options = options;
            this.startedBy = startedBy;
            this.requestedAt = requestedAt;
        }

        RunStatus status() {
            VerificationReport done = this.report;
            String failed = (this.failure != null) ? this.failure : ((done != null) ? done.error() : null);
            return new RunStatus(this.id, this.repository, this.options.mode(), this.startedBy, this.requestedAt,
                    this.state.get(), this.progress.get(), (done != null) ? done.summary() : null,
                    (done != null) ? done.agree() : null, (done != null) ? done.differenceCount() : null, failed);
        }

    }

}
