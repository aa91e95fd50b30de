package dev.dualwrite.autoconfigure.backfill;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import dev.dualwrite.core.backfill.Backfill;
import dev.dualwrite.core.backfill.BackfillFormat;
import dev.dualwrite.core.backfill.BackfillJob;
import dev.dualwrite.core.backfill.BackfillJobReport;
import dev.dualwrite.core.backfill.BackfillProgress;
import dev.dualwrite.core.backfill.BackfillState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.ExitCodeGenerator;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The one-shot run: with {@code --dual-write.backfill.run=tokens,subscriptions} (or
 * {@code all}) the application backfills those repositories right after startup, shows a
 * progress bar on the terminal (plain progress lines when no console is attached), logs the
 * report and exits with a status: {@value BackfillJobReport#EXIT_SUCCESS} when every
 * repository completed, {@value BackfillJobReport#EXIT_REJECTS} when all completed but keys
 * were set aside (unless {@code dual-write.backfill.fail-on-rejects=false}),
 * {@value BackfillJobReport#EXIT_FAILED} when one failed, was stopped or skipped, or the names
 * are wrong. Without the property it does nothing.
 */
public class BackfillRunner implements ApplicationRunner, ExitCodeGenerator {

    private static final Logger logger = LoggerFactory.getLogger(BackfillRunner.class);

    private final Backfill backfill;

    private final BackfillProperties properties;

    private final Exit exit;

    private volatile int exitCode;

    /**
     * @param backfill the backfill
     * @param properties what to run and how
     * @param exit what to do with the status once the run ends
     */
    public BackfillRunner(Backfill backfill, BackfillProperties properties, Exit exit) {
        this.backfill = backfill;
        this.properties = properties;
        this.exit = exit;
    }

    @Override
    public void run(ApplicationArguments args) {
        List<String> requested = requested();
        if (requested.isEmpty()) {
            return;
        }
        try {
            BackfillJob job = this.backfill.start(requested, this.properties.toOptions(), "one-shot run");
            // Each repository's final report is logged by the backfill itself.
            BackfillJobReport report = follow(job);
            this.exitCode = report.exitCode(this.properties.isFailOnRejects());
            logger.info("dual-write: one-shot backfill of {} ended: {} ({} keys set aside); exit status {}",
                    job.repositories(), report.completed() ? "completed" : "not completed", report.rejects(),
                    this.exitCode);
        }
        catch (RuntimeException ex) {
            logger.error("dual-write: the one-shot backfill of {} could not run: {}", requested, ex.getMessage());
            this.exitCode = BackfillJobReport.EXIT_FAILED;
        }
        this.exit.exit(this.exitCode);
    }

    private List<String> requested() {
        List<String> names = new ArrayList<>();
        for (String name : this.properties.getRun()) {
            if (!name.isBlank()) {
                names.add(name.trim());
            }
        }
        return names;
    }

    private BackfillJobReport follow(BackfillJob job) {
        boolean bar = this.properties.isProgressBar() && System.console() != null;
        if (!bar) {
            // The backfill logs a progress line at its interval already.
            return job.await();
        }
        PrintStream out = System.out;
        while (!job.isDone()) {
            render(out, job.progress());
            try {
                TimeUnit.MILLISECONDS.sleep(500);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        render(out, job.progress());
        out.println();
        return job.await();
    }

    private static void render(PrintStream out, List<BackfillProgress> progress) {
        BackfillProgress current = progress.stream()
            .filter((p) -> p.state() == BackfillState.RUNNING || p.state() == BackfillState.PAUSED)
            .findFirst()
            .orElse(progress.get(progress.size() - 1));
        long done = progress.stream().filter((p) -> p.state().isFinal()).count();
        String line = String.format(Locale.ROOT, "%s %s (%d/%d) %,d read, %,d written, %,d rejected, %,.0f rows/s, ETA %s",
                BackfillFormat.bar(current.fraction(), 30), current.repository(), Math.min(done + 1, progress.size()),
                progress.size(), current.rowsRead(), current.rowsWritten(), current.rowsRejected(),
                current.rowsPerSecond(), BackfillFormat.duration(current.eta()));
        out.print("\r" + line + "   ");
        out.flush();
    }

    @Override
    public int getExitCode() {
        return this.exitCode;
    }

    /**
     * Ends the process once the one-shot run is over.
     */
    @FunctionalInterface
    public interface Exit {

        void exit(int status);

        /**
         * Close the application context (so ExitCodeGenerators, including the runner, are
         * asked) and exit the JVM with the resulting status.
         * @param context the application context
         * @return the exit action
         */
        static Exit systemExit(ConfigurableApplicationContext context) {
            return (status) -> System.exit(SpringApplication.exit(context));
        }

    }

}
