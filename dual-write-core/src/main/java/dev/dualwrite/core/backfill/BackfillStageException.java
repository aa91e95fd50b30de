package dev.dualwrite.core.backfill;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

import dev.dualwrite.core.strategy.WriteStrategy;

/**
 * Thrown when a backfill, or a retry of its rejects, is asked for a repository that is not at
 * stage {@code DUAL} while {@link BackfillOptions#requireDual()} is set, or for a catch-up
 * ({@link BackfillMode#CATCH_UP}), which is refused outside {@code DUAL} whatever that option
 * says: nothing was started.
 * The message names each such repository, its stage and what to do. A dry run is never
 * refused.
 */
public class BackfillStageException extends IllegalStateException {

    private final Map<String, WriteStrategy> stages;

    BackfillStageException(Map<String, WriteStrategy> stages, BackfillOptions options) {
        super(stages.entrySet()
            .stream()
            .map((entry) -> reason(entry.getKey(), entry.getValue(), options))
            .collect(Collectors.joining("; ")));
        this.stages = Collections.unmodifiableMap(new LinkedHashMap<>(stages));
    }

    /**
     * Return the refused repositories, each with the stage it is at, in the job's order.
     * @return the stage of each refused repository
     */
    public Map<String, WriteStrategy> stages() {
        return this.stages;
    }

    // Before DUAL live writes do not reach PostgreSQL, so a key changed during the copy would
    // stay stale; past it PostgreSQL is the store of record, and a copy from Redis could bring
    // back a key deleted since (its Redis delete still waiting for repair).
    static String reason(String repository, WriteStrategy stage, BackfillOptions options) {
        String what = (stage.ordinal() < WriteStrategy.DUAL.ordinal())
                ? "but the backfill copies only in stage DUAL, where live writes keep PostgreSQL up to date while it "
                        + "runs: move the repository to DUAL first"
                : "past DUAL: PostgreSQL is the store of record now, and a copy from Redis could bring back keys "
                        + "deleted since; to backfill again, move the repository back to DUAL first";
        return "Repository '" + repository + "' is at " + stage + ", " + what + " (a dry run works at any stage"
                + ((options.catchUp() && !options.requireDual())
                        ? "; require-dual=false does not apply to a catch-up, which overwrites and deletes rows with "
                                + "Redis's values and would roll PostgreSQL back outside DUAL)"
                        : ")");
    }

}
