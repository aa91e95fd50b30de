package dev.dualwrite.backfill;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.dualwrite.autoconfigure.verify.VerifyOneShotRunner;
import dev.dualwrite.core.backfill.BackfillJobReport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.UnsatisfiedDependencyException;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The one-shot runs started with the command lines the README shows, in an ordinary secured
 * web application ({@link SecuredHostApplication}, whose {@code SecurityFilterChain} knows
 * nothing of one-shot runs): each must do its work and exit with the status of its outcome,
 * not fail at startup; one started without a web server says what to do instead.
 */
@ExtendWith(OutputCaptureExtension.class)
class OneShotRunsInASecuredApplicationTests {

    private static final BackfillFixture stores = new BackfillFixture(OneShotRunsInASecuredApplicationTests.class);

    private static final String GIZMOS = BackfillTests.GIZMOS;

    @AfterAll
    static void cleanUp() {
        stores.close();
    }

    @Test
    void theReadmesOneShotCommandsBackfillAndVerifyASecuredApplication() throws Exception {
        stores.seedGizmos(50);

        ChildApplication backfill = start("dual-write.backfill.run");
        assertThat(backfill.waitForExit(180)).as(backfill.output()).isEqualTo(BackfillJobReport.EXIT_SUCCESS);
        assertThat(backfill.output()).contains("one-shot backfill of [" + GIZMOS + "] ended: completed");
        assertThat(stores.gizmosInPostgres()).isEqualTo(stores.gizmosInRedis()).hasSize(50);

        ChildApplication agreeing = start("dual-write.verify.run");
        assertThat(agreeing.waitForExit(180)).as(agreeing.output()).isEqualTo(VerifyOneShotRunner.AGREE);
        assertThat(agreeing.output()).contains("finished: the stores agree");

        stores.postgres.update("delete from backfill_gizmos where id = 'g7'");
        ChildApplication differing = start("dual-write.verify.run");
        assertThat(differing.waitForExit(180)).as(differing.output()).isEqualTo(VerifyOneShotRunner.DIFFER);
        assertThat(differing.output()).as("the exit status comes from the verification, not a failed startup")
            .contains("finished: the stores DIFFER");
    }

    @Test
    void startedWithoutAWebServerTheRunFailsWithAnAnalysisThatSaysWhatToDo(CapturedOutput output) {
        List<String> arguments = storeArguments();
        // Should it start after all, it must not end this JVM.
        arguments.add("--dual-write.backfill.exit-after-run=false");
        arguments.add("--dual-write.backfill.run=" + GIZMOS);
        SpringApplicationBuilder application = new SpringApplicationBuilder(BackfillHostApplication.class,
                SecuredHostApplication.Security.class).web(WebApplicationType.NONE);

        assertThatExceptionOfType(UnsatisfiedDependencyException.class)
            .isThrownBy(() -> application.run(arguments.toArray(String[]::new)));
        assertThat(output).contains("The one-shot run (dual-write.backfill.run=" + GIZMOS + ") could not start: "
                + "bean 'security' needs Spring Security's HttpSecurity")
            .contains("replace --spring.main.web-application-type=none with --server.port=0")
            .contains("@ConditionalOnWebApplication");
    }

    // The host's stores, the repository at DUAL, then the README's command line with this
    // test's repository as the one to run.
    private static ChildApplication start(String runProperty) throws IOException {
        List<String> arguments = storeArguments();
        arguments.add("--dual-write.repositories." + GIZMOS + ".strategy=DUAL");
        arguments.addAll(readmeArguments(runProperty));
        arguments.add("--" + runProperty + "=" + GIZMOS);
        return ChildApplication.start(SecuredHostApplication.class, arguments);
    }

    private static List<String> storeArguments() {
        List<String> arguments = new ArrayList<>();
        for (String property : stores.properties()) {
            arguments.add("--" + property);
        }
        return arguments;
    }

    // What the README's command line for the one-shot run passes after the jar, except the
    // run property itself (its repositories are the README's example).
    private static List<String> readmeArguments(String runProperty) throws IOException {
        Path readme = Path.of("").toAbsolutePath().getParent().resolve("README.md");
        String line = Files.readAllLines(readme)
            .stream()
            .filter((candidate) -> candidate.startsWith("java -jar app.jar ")
                    && candidate.contains(" --" + runProperty + "="))
            .findFirst()
            .orElseThrow(() -> new AssertionError(readme + " shows no command line with --" + runProperty));
        return Arrays.stream(line.trim().split("\\s+"))
            .skip(3)
            .filter((argument) -> !argument.startsWith("--" + runProperty + "="))
            .toList();
    }

}
