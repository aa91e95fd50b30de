package dev.dualwrite.autoconfigure.inventory;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

import dev.dualwrite.core.inventory.Inventory;
import dev.dualwrite.core.inventory.InventoryReport;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.ExitCodeGenerator;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ApplicationContext;

/**
 * The one-shot inventory of {@code dual-write.inventory.run=<repository>,...} (or
 * {@code all}): takes stock right after startup, prints the report to standard output and,
 * with {@code dual-write.inventory.exit} (the default), stops the application with exit code
 * {@value #DONE}, or {@value #FAILED} when the inventory could not be taken (a wrong name,
 * Redis unreachable).
 */
public class InventoryOneShotRunner implements ApplicationRunner, ExitCodeGenerator {

    /** Exit code when the report was printed. */
    public static final int DONE = 0;

    /** Exit code when the inventory could not be taken. */
    public static final int FAILED = 1;

    private static final Logger logger = LoggerFactory.getLogger(InventoryOneShotRunner.class);

    private final Inventory inventory;

    private final List<String> names;

    private final boolean exit;

    private final ApplicationContext context;

    private final PrintStream out;

    private volatile int exitCode = DONE;

    private volatile @Nullable InventoryReport report;

    /**
     * @param inventory the inventory
     * @param names the repositories, or {@code all}
     * @param exit whether to stop the application with the exit code when done
     * @param context the application context to stop
     * @param out where the report is printed
     */
    public InventoryOneShotRunner(Inventory inventory, List<String> names, boolean exit, ApplicationContext context,
            PrintStream out) {
        this.inventory = inventory;
        this.names = names.stream().map(String::trim).filter((name) -> !name.isEmpty()).toList();
        this.exit = exit;
        this.context = context;
        this.out = out;
    }

    @Override
    public void run(ApplicationArguments args) {
        if (this.names.isEmpty()) {
            return;
        }
        try {
            InventoryReport taken = this.inventory.take(new ArrayList<>(this.names));
            this.report = taken;
            this.out.print(taken.toText());
            this.out.flush();
            this.exitCode = DONE;
        }
        catch (RuntimeException ex) {
            logger.error("dual-write inventory: the one-shot inventory of {} could not be taken: {}", this.names,
                    ex.getMessage());
            this.exitCode = FAILED;
        }
        if (this.exit) {
            System.exit(SpringApplication.exit(this.context));
        }
    }

    @Override
    public int getExitCode() {
        return this.exitCode;
    }

    /**
     * Return the report of the run.
     * @return the report, once taken
     */
    public @Nullable InventoryReport report() {
        return this.report;
    }

}
