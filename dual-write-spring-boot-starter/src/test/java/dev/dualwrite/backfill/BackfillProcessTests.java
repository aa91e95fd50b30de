package dev.dualwrite.backfill;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.dualwrite.core.backfill.BackfillJobReport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The backfill as operators run it, in a process of its own: the one-shot run's exit
 * status, and a run killed with {@code kill -9} halfway that the next run resumes from its
 * checkpoint, losing and duplicating nothing.
 */
class BackfillProcessTests {

    private static final BackfillFixture stores = new BackfillFixture(BackfillProcessTests.class);

    private static final String DUAL = "dual-write.repositories.backfill_gizmos.strategy=DUAL";

    @AfterAll
    static void cleanUp() {
        stores.close();
    }

    @BeforeEach
    void clean() throws Exception {
        // The first start creates the schema's tables (the host's and the library's).
        if (stores.postgres.queryForObject("select count(*) from information_schema.tables where table_schema = ? "
                + "and table_name = 'backfill_gizmos'", Long.class, stores.schema.name()) == 0) {
            ChildApplication.start(stores.properties(), DUAL, "dual-write.backfill.run=backfill_gizmos").waitForExit(120);
        }
        stores.clear();
    }

    @Test
    void aRunKilledHalfwayResumesFromItsCheckpointWithoutLossOrDuplicates() throws Exception {
        stores.seedGizmos(20_000);
        ChildApplication first = ChildApplication.start(stores.properties(), DUAL,
                "dual-write.backfill.run=backfill_gizmos", "dual-write.backfill.batch-size=100",
                "dual-write.backfill.rate-limit=4000");
        await().atMost(Duration.ofSeconds(120))
            .pollInterval(Duration.ofMillis(100))
            .until(() -> rowsWritten() >= 3_000 || !first.isAlive());
        assertThat(first.isAlive()).as("still copying when killed:\n%s", first.output()).isTrue();
        first.kill();
        Map<String, Object> killed = stores.postgres
            .queryForMap("select state, position from dualwrite_backfill_checkpoint where repository = 'backfill_gizmos'");
        assertThat(killed.get("state")).isEqualTo("RUNNING");
        assertThat((String) killed.get("position")).isNotEmpty();
        long copiedBeforeTheKill = count();
        assertThat(copiedBeforeTheKill).isBetween(1L, 19_999L);

        ChildApplication second = ChildApplication.start(stores.properties(), DUAL,
                "dual-write.backfill.run=backfill_gizmos", "dual-write.backfill.batch-size=500");
        int status = second.waitForExit(180);

        assertThat(status).as(second.output()).isEqualTo(BackfillJobReport.EXIT_SUCCESS);
        assertThat(second.output()).contains("resumes from its checkpoint");
        assertThat(stores.gizmosInPostgres()).isEqualTo(stores.gizmosInRedis()).hasSize(20_000);
        assertThat(stores.postgres.queryForObject("select state from dualwrite_backfill_checkpoint", String.class))
            .isEqualTo("COMPLETED");
    }

    @Test
    void aCatchUpKilledHalfwayResumesAsACatchUpAndLeavesTheStoresEqual() throws Exception {
        stores.seedGizmos(20_000);
        // As a period at REDIS_PRIMARY leaves them: every row stale, and 500 rows of keys deleted there.
        stores.postgres.update("insert into backfill_gizmos (id, name, quantity) "
                + "select 'g' || i, 'stale', 0 from generate_series(0, 19999) as i");
        stores.postgres.update("insert into backfill_gizmos (id, name, quantity) "
                + "select 'gone' || i, 'deleted', 0 from generate_series(0, 499) as i");
        ChildApplication first = ChildApplication.start(stores.properties(), DUAL,
                "dual-write.backfill.run=backfill_gizmos", "dual-write.backfill.mode=CATCH_UP",
                "dual-write.backfill.batch-size=100", "dual-write.backfill.rate-limit=4000");
        await().atMost(Duration.ofSeconds(120))
            .pollInterval(Duration.ofMillis(100))
            .until(() -> checkpointCount("rows_refreshed") >= 3_000 || !first.isAlive());
        assertThat(first.isAlive()).as("still catching up when killed:\n%s", first.output()).isTrue();
        first.kill();
        Map<String, Object> killed = stores.postgres.queryForMap(
                "select state, mode from dualwrite_backfill_checkpoint where repository = 'backfill_gizmos'");
        assertThat(killed).containsEntry("state", "RUNNING").containsEntry("mode", "CATCH_UP");

        ChildApplication second = ChildApplication.start(stores.properties(), DUAL,
                "dual-write.backfill.run=backfill_gizmos", "dual-write.backfill.mode=CATCH_UP",
                "dual-write.backfill.batch-size=500");
        int status = second.waitForExit(180);

        assertThat(status).as(second.output()).isEqualTo(BackfillJobReport.EXIT_SUCCESS);
        assertThat(second.output()).contains("resumes from its checkpoint").contains("500 removed");
        assertThat(stores.gizmosInPostgres()).isEqualTo(stores.gizmosInRedis()).hasSize(20_000);
        assertThat(stores.postgres.queryForObject("select state from dualwrite_backfill_checkpoint", String.class))
            .isEqualTo("COMPLETED");
        // Rows refreshed by batches that committed after the last checkpoint save are found
        // equal on resumption: counted once at most.
        assertThat(checkpointCount("rows_refreshed")).isBetween(3_000L, 20_000L);
        assertThat(checkpointCount("rows_removed")).isEqualTo(500);
    }

    @Test
    void aCatchUpKilledDuringItsWalkOverTheIdsKeepsTheRowsItRemovedInItsCheckpoint() throws Exception {
        stores.seedGizmos(2_000);
        stores.postgres.update("insert into backfill_gizmos (id, name, quantity) "
                + "select 'g' || i, 'gizmo ' || i, i % 50 from generate_series(0, 1999) as i");
        // Rows of deleted keys between the others in id order ('g7x' after 'g7'): the walk
        // removes them page after page, not all in its last pages.
        stores.postgres.update("insert into backfill_gizmos (id, name, quantity) "
                + "select 'g' || i || 'x', 'deleted', 0 from generate_series(0, 1999) as i");
        ChildApplication first = ChildApplication.start(stores.properties(), DUAL,
                "dual-write.backfill.run=backfill_gizmos", "dual-write.backfill.mode=CATCH_UP",
                "dual-write.backfill.batch-size=100", "dual-write.backfill.rate-limit=1000");
        // Before, the walk saved nothing until it ended: the count stayed 0 until the run exited.
        await().atMost(Duration.ofSeconds(120))
            .pollInterval(Duration.ofMillis(100))
            .until(() -> checkpointCount("rows_removed") >= 300 || !first.isAlive());
        assertThat(first.isAlive()).as("still walking the ids when killed:\n%s", first.output()).isTrue();
        first.kill();
        long removedWhenKilled = checkpointCount("rows_removed");
        assertThat(stores.postgres.queryForObject(
                "select state from dualwrite_backfill_checkpoint where repository = 'backfill_gizmos'", String.class))
            .isEqualTo("RUNNING");
        assertThat(removedWhenKilled).isBetween(300L, 1_999L);

        ChildApplication second = ChildApplication.start(stores.properties(), DUAL,
                "dual-write.backfill.run=backfill_gizmos", "dual-write.backfill.mode=CATCH_UP",
                "dual-write.backfill.batch-size=500");
        int status = second.waitForExit(180);

        assertThat(status).as(second.output()).isEqualTo(BackfillJobReport.EXIT_SUCCESS);
        assertThat(stores.gizmosInPostgres()).isEqualTo(stores.gizmosInRedis()).hasSize(2_000);
        // Rows removed after the last save before the kill are gone already: counted by neither run.
        assertThat(checkpointCount("rows_removed")).isBetween(removedWhenKilled, 2_000L);
        System.out.printf("walk killed with %d removals saved; %d counted in all (2,000 removed)%n", removedWhenKilled,
                checkpointCount("rows_removed"));
    }

    @Test
    void theOneShotRunExitsWithAStatusThatSaysWhetherEverythingWasCopied() throws Exception {
        stores.seedGizmos(200);
        stores.redis.set(stores.gizmoKey("bad"), "not json");

        ChildApplication withRejects = ChildApplication.start(stores.properties(), DUAL,
                "dual-write.backfill.run=backfill_gizmos");
        assertThat(withRejects.waitForExit(120)).as(withRejects.output()).isEqualTo(BackfillJobReport.EXIT_REJECTS);
        assertThat(withRejects.output()).contains("200 written").contains("1 rejected");
        assertThat(count()).isEqualTo(200);

        ChildApplication rejectsAllowed = ChildApplication.start(stores.properties(), DUAL,
                "dual-write.backfill.run=backfill_gizmos", "dual-write.backfill.fail-on-rejects=false");
        assertThat(rejectsAllowed.waitForExit(120)).as(rejectsAllowed.output())
            .isEqualTo(BackfillJobReport.EXIT_SUCCESS);

        // The run follows the shared stage, not its own property: an operator moved the
        // repository back to REDIS_PRIMARY (as the control plane would store it), and the run
        // that says DUAL in its properties is refused.
        stores.postgres.update("update dualwrite_stage set strategy = 'REDIS_PRIMARY', epoch = epoch + 1, "
                + "changed_by = 'test' where repository = 'backfill_gizmos'");
        ChildApplication notDual = ChildApplication.start(stores.properties(), DUAL,
                "dual-write.backfill.run=backfill_gizmos");
        assertThat(notDual.waitForExit(120)).as(notDual.output()).isEqualTo(BackfillJobReport.EXIT_FAILED);
        assertThat(notDual.output()).contains("Repository 'backfill_gizmos' is at REDIS_PRIMARY")
            .contains("move the repository to DUAL first");

        ChildApplication unknown = ChildApplication.start(stores.properties(), DUAL,
                "dual-write.backfill.run=no_such_repository");
        assertThat(unknown.waitForExit(120)).as(unknown.output()).isEqualTo(BackfillJobReport.EXIT_FAILED);
        assertThat(unknown.output()).contains("no_such_repository").contains("backfill_gizmos");
    }

    private static long rowsWritten() {
        try {
            Long written = stores.postgres.queryForObject(
                    "select rows_written from dualwrite_backfill_checkpoint where repository = 'backfill_gizmos'",
                    Long.class);
            return (written != null) ? written : 0;
        }
        catch (org.springframework.dao.EmptyResultDataAccessException ex) {
            return 0;
        }
    }

    private static long checkpointCount(String column) {
        List<Long> counts = stores.postgres.queryForList(
                "select " + column + " from dualwrite_backfill_checkpoint where repository = 'backfill_gizmos'",
                Long.class);
        return counts.isEmpty() ? 0 : counts.get(0);
    }

    private static long count() {
        Long count = stores.postgres.queryForObject("select count(*) from backfill_gizmos", Long.class);
        return (count != null) ? count : 0;
    }

}
