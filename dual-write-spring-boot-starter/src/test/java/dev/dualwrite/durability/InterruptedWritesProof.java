package dev.dualwrite.durability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

import dev.dualwrite.autoconfigure.repository.DualRepositoryRegistry;
import dev.dualwrite.backfill.ChildApplication;
import dev.dualwrite.core.repair.PostgresRepairLog;
import dev.dualwrite.core.repair.RepairLog;
import dev.dualwrite.core.repair.RepairRecord;
import dev.dualwrite.core.repair.reconcile.RepairReconciler;
import dev.dualwrite.core.strategy.GateCheck;
import dev.dualwrite.core.strategy.StrategyChangeException;
import dev.dualwrite.core.strategy.StrategySource;
import dev.dualwrite.core.strategy.WriteStrategy;
import dev.dualwrite.core.verify.Difference;
import dev.dualwrite.core.verify.VerificationReport;
import dev.dualwrite.core.verify.Verifier;
import dev.dualwrite.core.verify.VerifyOptions;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The proof that no write is lost to a process killed between its two writes, for any old
 * store: child writers ({@link KillableWriters}) are killed with {@code SIGKILL} after a random
 * number of writes, {@value #KILLS} times at one stage; every key a full verification then finds
 * different must have a write intent or a repair record (of the old store's log or of
 * PostgreSQL's), and once the reconciler (in the test's JVM) has drained them all a full
 * verification must find zero differences.
 */
final class InterruptedWritesProof {

    static final int KILLS = 5;

    /** What the proof reads of the old store's own repair log. */
    interface OldStore {

        /**
         * Return the keys of the repository's open write intents.
         * @param repository the repository's name
         * @return the keys
         */
        Set<String> intentKeys(String repository);

        /**
         * Return the log that keeps the repository's records to repair PostgreSQL from the old
         * store.
         * @param repository the repository's name
         * @return the log
         */
        RepairLog repairLog(String repository);

    }

    /** Starts a writer application in a JVM of its own. */
    @FunctionalInterface
    interface Children {

        /**
         * Start a child writer.
         * @param properties properties of its own, as {@code key=value}
         * @return the running child
         */
        ChildApplication start(String... properties) throws Exception;

    }

    private final String label;

    private final ConfigurableApplicationContext app;

    private final List<String> repositories;

    private final OldStore old;

    private final Children children;

    private final Duration grace;

    private final Random random = new Random();

    /**
     * @param label the old store, for the printed summary
     * @param app the application in the test's JVM, whose reconciler does not run by itself
     * @param repositories the repositories the children write
     * @param old the old store's repair log
     * @param children starts the writers
     * @param grace the interrupted-write grace of {@code app}, for the printed summary
     */
    InterruptedWritesProof(String label, ConfigurableApplicationContext app, List<String> repositories, OldStore old,
            Children children, Duration grace) {
        this.label = label;
        this.app = app;
        this.repositories = repositories;
        this.old = old;
        this.children = children;
        this.grace = grace;
    }

    void killWritersAndConverge(WriteStrategy stage) throws Exception {
        move(this.app, this.repositories, stage);
        long started = System.nanoTime();
        for (int kill = 0; kill < KILLS; kill++) {
            // Keys of its own: no later child can overwrite what this one's kill left behind.
            ChildApplication child = this.children.start("dwtest.writer.threads=6", "dwtest.writer.keys=40",
                    "dwtest.writer.namespace=c" + kill + "-");
            try {
                await().atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> child.output().contains(KillableWriters.WRITING) || !child.isAlive());
                assertThat(child.isAlive()).as("the child writes:\n%s", child.output()).isTrue();
                // The kill itself is the fault injected: at a random moment of the load, after
                // 100 to 1,500 writes.
                long writes = KillableWriters.PROGRESS_EVERY * (2 + this.random.nextInt(29));
                await().atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> child.output().contains(KillableWriters.WROTE + writes + "\n")
                            || !child.isAlive());
                assertThat(child.isAlive()).as("the child writes on:\n%s", child.output()).isTrue();
            }
            finally {
                child.kill();
            }
        }

        PostgresRepairLog postgresLog = this.app.getBean(PostgresRepairLog.class);
        int differed = 0;
        int covered = 0;
        int byIntent = 0;
        int recorded = 0;
        List<String> uncovered = new ArrayList<>();
        for (String repository : this.repositories) {
            VerificationReport before = verify(this.app, repository);
            assertThat(before.error()).isNull();
            Set<String> intents = this.old.intentKeys(repository);
            Set<String> records = recordKeys(this.old.repairLog(repository), repository);
            records.addAll(recordKeys(postgresLog, repository));
            recorded += intents.size() + records.size();
            for (Difference difference : before.differences()) {
                differed++;
                if (intents.contains(difference.key()) || records.contains(difference.key())) {
                    covered++;
                    byIntent += records.contains(difference.key()) ? 0 : 1;
                }
                else {
                    uncovered.add(repository + ": '" + difference.key() + "' (" + difference.kind() + ")");
                }
            }
        }
        assertThat(uncovered).as("keys that differ with neither a write intent nor a repair record").isEmpty();
        assertThat(differed).as("the kills landed between the two writes of some key, which then differed")
            .isPositive();
        assertThat(recorded).as("the kills landed inside writes, which left intents or records").isPositive();

        long draining = System.nanoTime();
        RepairReconciler reconciler = this.app.getBean(RepairReconciler.class);
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).until(() -> {
            reconciler.drainOnce();
            return this.repositories.stream()
                .allMatch((repository) -> this.old.repairLog(repository).pendingCount(repository) == 0
                        && this.old.intentKeys(repository).isEmpty() && postgresLog.pendingCount(repository) == 0);
        });
        long drained = System.nanoTime();

        long keysAfter = 0;
        for (String repository : this.repositories) {
            VerificationReport after = verify(this.app, repository);
            assertThat(after.differences()).as("%s: %s", repository, after.summary()).isEmpty();
            assertThat(after.agree()).isTrue();
            keysAfter += after.redisKeys();
        }
        assertThat(keysAfter).isPositive();
        System.out.printf("%s %s: %d kills in %.1f s, %d keys differed, %d covered (%d by a write intent only), "
                + "%d intents/records left in all; drained in %.1f s (grace %s), 0 differences after, %d keys%n",
                this.label, stage, KILLS, (draining - started) / 1e9, differed, covered, byIntent, recorded,
                (drained - draining) / 1e9, this.grace, keysAfter);
    }

    /**
     * Move the repositories to a stage, forced: the stores hold only what the tests wrote; the
     * gates are not the point.
     */
    static void move(ConfigurableApplicationContext app, List<String> repositories, WriteStrategy stage) {
        StrategySource strategies = app.getBean(StrategySource.class);
        for (String repository : repositories) {
            if (strategies.strategyFor(repository) != stage) {
                strategies.change(repository, stage, true);
            }
        }
        await().atMost(Duration.ofSeconds(30))
            .until(() -> repositories.stream().allMatch((repository) -> strategies.strategyFor(repository) == stage));
    }

    /**
     * Return the gates that refused a move, failing when the move was accepted.
     */
    static List<GateCheck> refusedMove(StrategySource strategies, String repository, WriteStrategy target) {
        try {
            strategies.change(repository, target, false);
        }
        catch (StrategyChangeException ex) {
            return ex.gates();
        }
        throw new AssertionError("the move of " + repository + " to " + target + " was accepted");
    }

    static VerificationReport verify(ConfigurableApplicationContext app, String repository) {
        return app.getBean(Verifier.class)
            .verify(Verifier.find(app.getBean(DualRepositoryRegistry.class)::all, repository), VerifyOptions.full());
    }

    private static Set<String> recordKeys(RepairLog log, String repository) {
        return log.pending(repository, 1_000_000)
            .stream()
            .map(RepairRecord::key)
            .collect(Collectors.toCollection(HashSet::new));
    }

}
