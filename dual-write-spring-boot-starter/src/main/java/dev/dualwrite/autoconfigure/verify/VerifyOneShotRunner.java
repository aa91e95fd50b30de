package dev.dualwrite.autoconfigure.verify;

import java.util.ArrayList;
import java.util.List;

import dev.dualwrite.autoconfigure.repository.DualRepositoryRegistry;
import dev.dualwrite.core.pair.DualRepository;
import dev.dualwrite.core.verify.VerificationReport;
import dev.dualwrite.core.verify.Verifier;
import dev.dualwrite.core.verify.VerifyOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.ExitCodeGenerator;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ApplicationContext;

/**
 * The one-shot verification of {@code dual-write.verify.run}: verifies the named repositories
 * at startup and answers exit code 0 when every one agrees, 1 when one differs or could not
 * be verified, so a pipeline can gate a stage move on it. With {@code dual-write.verify.exit}
 * (the default) the application then stops with that code.
 */
public class VerifyOneShotRunner implements ApplicationRunner, ExitCodeGenerator {

    /** Exit code when every repository verified agrees. */
    public static final int AGREE = 0;

    /** Exit code when a repository differs or could not be verified. */
    public static final int DIFFER = 1;

    private static final Logger logger = LoggerFactory.getLogger(VerifyOneShotRunner.class);

    private final Verifier verifier;

    private final DualRepositoryRegistry registry;

    private final List<String> names;

    private final VerifyOptions options;

    private final boolean exit;

    private final ApplicationContext context;

    private volatile int exitCode = AGREE;

    private volatile List<VerificationReport> reports = List.of();

    /**
     * @param verifier the verifier
     * @param registry the paired repositories
     * @param names the repositories to verify, or {@code all}
     * @param options what to compare
     * @param exit whether to stop the application with the exit code when done
     * @param context the application context to stop
     */
    public VerifyOneShotRunner(Verifier verifier, DualRepositoryRegistry registry, List<String> names,
            VerifyOptions options, boolean exit, ApplicationContext context) {
        this.verifier = verifier;
        this.registry = registry;
        this.names = List.copyOf(names);
        this.options = options;
        this.exit = exit;
        this.context = context;
    }

    @Override
    public void run(ApplicationArguments args) {
        List<DualRepository<?, ?, ?>> repositories = new ArrayList<>();
        if (this.names.contains("all")) {
            repositories.addAll(this.registry.all());
        }
        else {
            for (String name : this.names) {
                repositories.add(Verifier.find(this.registry::all, name));
            }
        }
        List<VerificationReport> done = new ArrayList<>();
        int code = AGREE;
        for (DualRepository<?, ?, ?> repository : repositories) {
            VerificationReport report = this.verifier.verify(repository, this.options, (progress) -> {
            }, "one-shot run");
            done.add(report);
            if (!report.agree()) {
                code = DIFFER;
            }
        }
        this.reports = List.copyOf(done);
        this.exitCode = code;
        logger.info("dual-write verify: one-shot run of {} finished: {} (exit code {})", this.names,
                (code == AGREE) ? "the stores agree" : "the stores DIFFER", code);
        if (this.exit) {
            System.exit(SpringApplication.exit(this.context));
        }
    }

    @Override
    public int getExitCode() {
        return this.exitCode;
    }

    /**
     * Return the reports of the run.
     * @return the reports, once run
     */
    public List<VerificationReport> reports() {
        return this.reports;
    }

}
