package dev.dualwrite.inventory;

import java.util.ArrayList;
import java.util.List;

import dev.dualwrite.autoconfigure.inventory.InventoryOneShotRunner;
import dev.dualwrite.backfill.ChildApplication;
import dev.dualwrite.testsupport.TestSchema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The one-shot inventory ({@code dual-write.inventory.run}): a real process that prints the
 * report and exits 0, and exit code 1 when the inventory cannot be taken.
 */
class InventoryOneShotRunTests {

    private static final TestSchema schema = TestSchema.create(InventoryOneShotRunTests.class);

    @BeforeAll
    static void seed() {
        try (ConfigurableApplicationContext context = start()) {
            InventoryStores.seed(context);
        }
    }

    @AfterAll
    static void cleanUp() {
        InventoryStores.KEYS.deleteKeys();
        schema.close();
    }

    @Test
    void printsTheReportAndExitsWithZero() throws Exception {
        List<String> arguments = arguments("--spring.main.web-application-type=none",
                "--dual-write.inventory.run=all");
        ChildApplication child = ChildApplication.start(InventoryHostApplication.class, arguments);
        int status = child.waitForExit(120);
        String output = child.output();
        assertThat(status).as(output).isEqualTo(InventoryOneShotRunner.DONE);
        String keyspace = InventoryStores.crateKeyspace();
        assertThat(output).contains("repository 'inventory_crates': @RedisHash keyspace '" + keyspace + "'")
            .contains("repository 'inventory_parcels': JSON strings under '" + InventoryStores.KEYS.prefix() + "parcel:'")
            .containsPattern("\\Q" + keyspace + ":*\\E\\s+ENTITIES\\s+30\\s+hash=30\\s+33\\.3%")
            .containsPattern("\\Q" + keyspace + ":colour:*\\E\\s+INDEXES\\s+3\\s+set=3")
            .containsPattern("\\Q" + InventoryStores.KEYS.prefix() + "parcel:*\\E\\s+ENTITIES\\s+41\\s+list=1 string=40\\s+48\\.8%")
            .contains("backfill: 30 entities; no backfill measured yet")
            .contains("keys of no repository: 6 hash=1 string=5, e.g. ");
        // The sample report of docs/inventory.md comes from here.
        System.out.println(output.substring(output.indexOf("dual-write inventory taken")));
    }

    @Test
    void aNameThatIsNoRepositoryEndsWithOne() {
        try (ConfigurableApplicationContext context = start("--dual-write.inventory.run=no_such_repository",
                "--dual-write.inventory.exit=false")) {
            InventoryOneShotRunner runner = context.getBean(InventoryOneShotRunner.class);
            assertThat(runner.getExitCode()).isEqualTo(InventoryOneShotRunner.FAILED);
            assertThat(runner.report()).isNull();
            assertThat(SpringApplication.exit(context)).isEqualTo(InventoryOneShotRunner.FAILED);
        }
    }

    private static ConfigurableApplicationContext start(String... more) {
        return new SpringApplicationBuilder(InventoryHostApplication.class).web(WebApplicationType.NONE)
            .run(arguments(more).toArray(String[]::new));
    }

    private static List<String> arguments(String... more) {
        List<String> arguments = new ArrayList<>();
        for (String property : InventoryStores.properties(schema)) {
            arguments.add("--" + property);
        }
        arguments.addAll(List.of(more));
        return arguments;
    }

}
