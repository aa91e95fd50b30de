package dev.dualwrite.autoconfigure.backfill;

import java.security.Principal;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.dualwrite.autoconfigure.endpoint.OperatorRequests;
import dev.dualwrite.core.backfill.Backfill;
import dev.dualwrite.core.backfill.BackfillCheckpoint;
import dev.dualwrite.core.backfill.BackfillJob;
import dev.dualwrite.core.backfill.BackfillMode;
import dev.dualwrite.core.backfill.BackfillOptions;
import dev.dualwrite.core.backfill.BackfillPartition;
import dev.dualwrite.core.backfill.BackfillProgress;
import dev.dualwrite.core.backfill.BackfillReject;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * The {@code dualwritebackfill} actuator endpoint: starts backfills, shows their progress and
 * checkpoints, pauses, resumes, stops and throttles the running job, and lists and retries
 * rejects.
 * <ul>
 * <li>{@code GET /} the running (or last) job and every repository's checkpoint</li>
 * <li>{@code GET /{repository}} one repository (with the partitions of a partitioned run)</li>
 * <li>{@code GET /{repository}/rejects?limit=&after=} its rejects</li>
 * <li>{@code POST /} with {@code {"repositories":"tokens,subscriptions", "rateLimit":..., ...}} starts a
 * job (no repositories, or {@code "all"}: every one); {@code "mode":"CATCH_UP"} also brings
 * present rows that differ from Redis up to date and removes rows whose key is gone</li>
 * <li>{@code POST /pause}, {@code /resume}, {@code /stop}, {@code /rate} (with
 * {@code {"rateLimit": n}}) controls the running job</li>
 * <li>{@code POST /{repository}/retry-rejects} copies its rejects again</li>
 * </ul>
 * Every change needs an authenticated caller: a call without a {@link Principal} is refused
 * before anything happens, as for the {@code dualwrite} endpoint.
 */
@Endpoint(id = "dualwritebackfill")
public class BackfillEndpoint {

    private static final Logger logger = LoggerFactory.getLogger(BackfillEndpoint.class);

    private static final int DEFAULT_REJECTS = 100;

    private final Backfill backfill;

    public BackfillEndpoint(Backfill backfill) {
        this.backfill = backfill;
    }

    @ReadOperation
    public BackfillStatus status() {
        Map<String, @Nullable BackfillCheckpoint> checkpoints = new LinkedHashMap<>();
        this.backfill.repositories().forEach((name) -> checkpoints.put(name, null));
        this.backfill.checkpoints().forEach((checkpoint) -> {
            if (checkpoints.containsKey(checkpoint.repository())) {
                checkpoints.put(checkpoint.repository(), checkpoint);
            }
        });
        return new BackfillStatus(this.backfill.currentJob().map(BackfillEndpoint::jobStatus).orElse(null),
                checkpoints);
    }

    @ReadOperation
    public @Nullable RepositoryStatus repository(@Selector String name) {
        if (!this.backfill.repositories().contains(name)) {
            return null;
        }
        BackfillProgress progress = this.backfill.currentJob()
            .flatMap((job) -> job.progress().stream().filter((p) -> p.repository().equals(name)).findFirst())
            .orElse(null);
        return new RepositoryStatus(name, progress, this.backfill.checkpoint(name).orElse(null),
                this.backfill.rejectCount(name), this.backfill.partitions(name));
    }

    @ReadOperation
    public @Nullable List<BackfillReject> rejects(@Selector String name, @Selector String section,
            @Nullable Integer limit, @Nullable String after) {
        if (!"rejects".equals(section)) {
            throw new InvalidEndpointRequestException("Unknown section '" + section + "'; use 'rejects'",
                    "Unknown section");
        }
        if (!this.backfill.repositories().contains(name)) {
            return null;
        }
        return this.backfill.rejects(name, after, (limit != null) ? Math.max(1, Math.min(limit, 10_000)) : DEFAULT_REJECTS);
    }

    @WriteOperation
    public JobStatus start(@Nullable String repositories, @Nullable String keyPattern,
            @Nullable Integer batchSize, @Nullable Integer parallelism, @Nullable Double rateLimit,
            @Nullable Boolean dryRun, @Nullable Boolean failFast, @Nullable Boolean restart, @Nullable String mode,
            @Nullable Principal principal) {
        OperatorRequests.requireCaller(principal, "Starting or controlling a backfill", "dualwritebackfill");
        BackfillOptions options = this.backfill.defaults();
        try {
            options = (keyPattern != null) ? options.withKeyPattern(keyPattern) : options;
            options = (batchSize != null) ? options.withBatchSize(batchSize) : options;
            options = (parallelism != null) ? options.withParallelism(parallelism) : options;
            options = (rateLimit != null) ? options.withRateLimit(rateLimit) : options;
            options = (dryRun != null) ? options.withDryRun(dryRun) : options;
            options = (failFast != null) ? options.withFailFast(failFast) : options;
            options = (restart != null) ? options.withRestart(restart) : options;
            options = (mode != null) ? options.withMode(mode(mode)) : options;
        }
        catch (IllegalArgumentException ex) {
            throw new InvalidEndpointRequestException(String.valueOf(ex.getMessage()), "Invalid backfill option");
        }
        List<String> names = (repositories != null) ? Arrays.stream(repositories.split(","))
            .map(String::trim)
            .filter((name) -> !name.isEmpty())
            .toList() : List.of();
        // An unknown repository is "not found"; anything else start() refuses is a bad request.
        for (String name : names) {
            if (!name.equals(Backfill.ALL) && !this.backfill.repositories().contains(name)) {
                throw new IllegalArgumentException("No paired repository is named '" + name
                        + "'; paired repositories: " + this.backfill.repositories());
            }
        }
        BackfillJob job;
        try {
            job = this.backfill.start(names, options, principal.getName());
        }
        catch (IllegalArgumentException ex) {
            throw new InvalidEndpointRequestException(String.valueOf(ex.getMessage()), "Invalid backfill request");
        }
        logger.info("dual-write: '{}' started {} job {} of {}{}", principal.getName(),
                options.mode() == BackfillMode.CATCH_UP ? "catch-up backfill" : "backfill", job.id(),
                job.repositories(), options.dryRun() ? " (dry run)" : "");
        return jobStatus(job);
    }

    @WriteOperation
    public @Nullable JobStatus control(@Selector String command, @Nullable Double rateLimit,
            @Nullable Principal principal) {
        OperatorRequests.requireCaller(principal, "Starting or controlling a backfill", "dualwritebackfill");
        BackfillJob job = this.backfill.currentJob().filter((j) -> !j.isDone()).orElse(null);
        if (job == null) {
            return null;
        }
        switch (command.toLowerCase(Locale.ROOT)) {
            case "pause" -> job.pause();
            case "resume" -> job.resume();
            case "stop" -> job.stop();
            case "rate" -> {
                if (rateLimit == null || rateLimit < 0) {
                    throw new InvalidEndpointRequestException("'rate' needs a rateLimit of 0 (no limit) or more",
                            "Missing rateLimit");
                }
                job.setRateLimit(rateLimit);
            }
            default -> throw new InvalidEndpointRequestException("Unknown command '" + command
                    + "'; use pause, resume, stop or rate", "Unknown command");
        }
        logger.info("dual-write: '{}' asked backfill job {} to {}{}", principal.getName(), job.id(), command,
                "rate".equalsIgnoreCase(command) ? " " + rateLimit + " rows/s" : "");
        return jobStatus(job);
    }

    @WriteOperation
    public Backfill.@Nullable RetryReport repositoryCommand(@Selector String name, @Selector String command,
            @Nullable Principal principal) {
        OperatorRequests.requireCaller(principal, "Starting or controlling a backfill", "dualwritebackfill");
        if (!"retry-rejects".equals(command)) {
            throw new InvalidEndpointRequestException("Unknown command '" + command + "'; use retry-rejects",
                    "Unknown command");
        }
        if (!this.backfill.repositories().contains(name)) {
            return null;
        }
        logger.info("dual-write: '{}' retries the backfill rejects of '{}'", principal.getName(), name);
        return this.backfill.retryRejects(name);
    }

    private static BackfillMode mode(String mode) {
        try {
            return BackfillMode.valueOf(mode.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        }
        catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("Unknown backfill mode '" + mode + "'; use "
                    + Arrays.toString(BackfillMode.values()), ex);
        }
    }

    List<String> repositories() {
        return this.backfill.repositories();
    }

    static JobStatus jobStatus(BackfillJob job) {
        return new JobStatus(job.id(), job.repositories(), job.state(), job.rateLimit(), job.options().dryRun(),
                job.progress());
    }

    /**
     * The backfill as a whole.
     * @param job the running or last job of this instance, if any
     * @param checkpoints each repository's durable checkpoint ({@code null} when never backfilled)
     */
    public record BackfillStatus(@Nullable JobStatus job, Map<String, @Nullable BackfillCheckpoint> checkpoints) {
    }

    /**
     * One job.
     * @param id its id
     * @param repositories its repositories, in order
     * @param state {@code RUNNING}, {@code PAUSED} or {@code DONE} (each repository's own state is
     * in its progress)
     * @param rateLimit the rate limit in force, 0 for none
     * @param dryRun whether it writes nothing
     * @param progress each repository's progress
     */
    public record JobStatus(String id, List<String> repositories, BackfillJob.State state, double rateLimit,
            boolean dryRun,
            List<BackfillProgress> progress) {
    }

    /**
     * One repository.
     * @param repository its name
     * @param progress its progress in the current job, if it is part of it
     * @param checkpoint its durable checkpoint, if it was ever backfilled
     * @param rejects keys set aside
     * @param partitions the partitions of its last partitioned run, with their owners and
     * leases (empty when it never ran partitioned)
     */
    public record RepositoryStatus(String repository, @Nullable BackfillProgress progress,
            @Nullable BackfillCheckpoint checkpoint, long rejects, List<BackfillPartition> partitions) {
    }

}
