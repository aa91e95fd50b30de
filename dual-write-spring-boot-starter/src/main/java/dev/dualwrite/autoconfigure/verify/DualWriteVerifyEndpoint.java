package dev.dualwrite.autoconfigure.verify;

import java.security.Principal;
import java.util.List;

import dev.dualwrite.autoconfigure.endpoint.OperatorRequests;
import dev.dualwrite.autoconfigure.repository.DualRepositoryRegistry;
import dev.dualwrite.core.pair.DualRepository;
import dev.dualwrite.core.verify.ReportRepair;
import dev.dualwrite.core.verify.ReportRepair.RepairOutcome;
import dev.dualwrite.core.verify.VerificationReport;
import dev.dualwrite.core.verify.VerificationRuns;
import dev.dualwrite.core.verify.VerificationRuns.RunStatus;
import dev.dualwrite.core.verify.Verifier;
import dev.dualwrite.core.verify.VerifyMode;
import dev.dualwrite.core.verify.VerifyOptions;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * The {@code dualwriteverify} actuator endpoint: starts verifications in the background,
 * shows their progress, serves their reports as JSON ({@code GET .../{id}/report}) and repairs
 * the keys a report lists ({@code POST .../{id}}, a dry run unless {@code "dryRun": false}).
 * <p>
 * Starting a verification and repairing need an authenticated caller: both refuse a call
 * without a {@link Principal}, whatever the exposure settings, like the {@code dualwrite}
 * endpoint's strategy change.
 */
@Endpoint(id = "dualwriteverify")
public class DualWriteVerifyEndpoint {

    private static final Logger logger = LoggerFactory.getLogger(DualWriteVerifyEndpoint.class);

    private final DualRepositoryRegistry registry;

    private final VerificationRuns runs;

    private final ReportRepair repair;

    private final VerifyOptions defaults;

    /**
     * @param registry the paired repositories
     * @param runs runs verifications in the background and keeps their reports
     * @param repair repairs the keys of a report
     * @param defaults options of a verification the caller does not specify further
     */
    public DualWriteVerifyEndpoint(DualRepositoryRegistry registry, VerificationRuns runs, ReportRepair repair,
            VerifyOptions defaults) {
        this.registry = registry;
        this.runs = runs;
        this.repair = repair;
        this.defaults = defaults;
    }

    @ReadOperation
    public List<RunStatus> runs() {
        return this.runs.all();
    }

    @ReadOperation
    public @Nullable RunStatus run(@Selector String id) {
        return this.runs.status(id).orElse(null);
    }

    @ReadOperation
    public @Nullable VerificationReport report(@Selector String id, @Selector String part) {
        return "report".equals(part) ? this.runs.report(id).orElse(null) : null;
    }

    /**
     * Start a verification of one repository.
     * @param repository the repository name
     * @param mode FULL (default), SAMPLED or COUNTS_ONLY
     * @param samplePercent share of keys a sampled verification compares
     * @param sampleCount number of keys a sampled verification compares (wins over the share)
     * @param includeValues whether the report carries differing values
     * @param principal the caller
     * @return the run's status, or {@code null} when no repository has the name
     */
    @WriteOperation
    public @Nullable RunStatus start(String repository, @Nullable VerifyMode mode, @Nullable Double samplePercent,
            @Nullable Long sampleCount, @Nullable Boolean includeValues, @Nullable Principal principal) {
        // The actuator passes null for an unidentified caller rather than refusing the call.
        OperatorRequests.requireCaller(principal, "Starting a verification or a repair", "dualwriteverify");
        DualRepository<?, ?, ?> pair = find(repository);
        if (pair == null) {
            return null;
        }
        VerifyOptions options = this.defaults.withMode((mode != null) ? mode : VerifyMode.FULL);
        if (samplePercent != null || sampleCount != null) {
            options = new VerifyOptions(options.mode(), (samplePercent != null) ? samplePercent : 100,
                    (sampleCount != null) ? sampleCount : 0, options.includeValues(), options.batchSize(),
                    options.maxDifferences(), options.settleDelay());
        }
        if (includeValues != null) {
            options = options.withValues(includeValues);
        }
        logger.info("dual-write verify: '{}' started a {} verification of repository '{}'", principal.getName(),
                options.mode(), repository);
        return this.runs.start(pair, options, principal.getName());
    }

    /**
     * Repair the keys a finished verification listed, from the authoritative store of the
     * strategy in force now.
     * @param id the run id
     * @param dryRun whether to only say what would be done (the default)
     * @param principal the caller
     * @return what was done, or {@code null} when the run or its report is unknown
     */
    @WriteOperation
    public @Nullable RepairOutcome repair(@Selector String id, @Nullable Boolean dryRun,
            @Nullable Principal principal) {
        OperatorRequests.requireCaller(principal, "Starting a verification or a repair", "dualwriteverify");
        VerificationReport report = this.runs.report(id).orElse(null);
        if (report == null) {
            return null;
        }
        DualRepository<?, ?, ?> pair = find(report.repository());
        if (pair == null) {
            return null;
        }
        boolean dry = !Boolean.FALSE.equals(dryRun);
        logger.info("dual-write repair: '{}' repairs the {} key(s) of verification {} of repository '{}'{}",
                principal.getName(), report.differences().size(), id, report.repository(), dry ? " (dry run)" : "");
        return this.repair.repair(pair, report, dry, principal.getName());
    }

    private @Nullable DualRepository<?, ?, ?> find(String name) {
        try {
            return Verifier.find(this.registry::all, name);
        }
        catch (IllegalArgumentException ex) {
            return null;
        }
    }

}
