package dev.dualwrite.sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.dualwrite.autoconfigure.repository.DualRepositoryRegistry;
import dev.dualwrite.core.backfill.Backfill;
import dev.dualwrite.core.backfill.BackfillReport;
import dev.dualwrite.core.backfill.BackfillState;
import dev.dualwrite.core.inventory.Inventory;
import dev.dualwrite.core.inventory.InventoryReport.RepositoryInventory;
import dev.dualwrite.core.repair.JdbcRepairLog;
import dev.dualwrite.core.repair.RoutingOldStoreRepairLog;
import dev.dualwrite.core.strategy.StrategySource;
import dev.dualwrite.core.strategy.WriteStrategy;
import dev.dualwrite.core.verify.VerificationReport;
import dev.dualwrite.core.verify.Verifier;
import dev.dualwrite.core.verify.VerifyOptions;
import dev.dualwrite.sample.client.Client;
import dev.dualwrite.sample.client.sqlite.ClientRepository;
import dev.dualwrite.testsupport.TestKeyPrefix;
import dev.dualwrite.testsupport.TestSchema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.sqlite.SQLiteDataSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Profile {@code sqlite}: the clients' SQLite table walked to PostgreSQL through every stage,
 * with the application writing through its SQLite repository all along. The inventory counts
 * the file's rows first; at each stage the test reads both databases directly: which one a
 * write reached (inside the application's own SQLite transaction too), that the backfill
 * copied the file's history, and that the verifier finds them equal before each move forward.
 */
@ExtendWith(SqliteClientsMigrationTests.DeleteTheFileAfterTheApplication.class)
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = { "sample.clients.seed=300",
        "sample.operator.username=ops", "sample.operator.password=walk-the-plank" })
@ActiveProfiles("sqlite")
@DirtiesContext
class SqliteClientsMigrationTests extends SampleHttpTests {

    @RegisterExtension
    static final TestSchema schema = TestSchema.create(SqliteClientsMigrationTests.class);

    @RegisterExtension
    static final TestKeyPrefix keys = TestKeyPrefix.create(SqliteClientsMigrationTests.class);

    private static final Path directory = createDirectory();

    private static final Path file = directory.resolve("clients.db");

    @DynamicPropertySource
    static void servers(DynamicPropertyRegistry registry) {
        SampleTestServers.register(registry, schema, keys);
        registry.add("sample.clients.sqlite-file", file::toString);
    }

    /**
     * Deletes the file once Spring has closed the application, which keeps opening it (its
     * reconciler, every few seconds): declared before {@code @SpringBootTest}, so its callback
     * runs after Spring's.
     */
    static final class DeleteTheFileAfterTheApplication implements AfterAllCallback {

        @Override
        public void afterAll(ExtensionContext extensionContext) throws IOException {
            deleteFile();
        }

    }

    private static void deleteFile() throws IOException {
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    @Autowired
    ClientRepository clients;

    @Autowired
    StrategySource strategies;

    @Autowired
    Backfill backfill;

    @Autowired
    Verifier verifier;

    @Autowired
    Inventory inventory;

    @Autowired
    RoutingOldStoreRepairLog repairLogs;

    @Autowired
    DualRepositoryRegistry registry;


    @Autowired
    @Qualifier("clientsSqliteTransactionManager")
    PlatformTransactionManager sqliteTransactions;

    @Test
    void theClientsWalkFromTheSqliteFileToPostgresqlThroughEveryStage() {
        JdbcTemplate sqlite = sqlite();
        assertThat(count(sqlite, "clients")).isEqualTo(300);
        assertThat(this.strategies.strategyFor("clients")).isEqualTo(WriteStrategy.REDIS_PRIMARY);
        // Before migrating: the inventory counts the file's rows.
        RepositoryInventory inventory = this.inventory.take(List.of("clients")).repositories().get(0);
        assertThat(inventory.entities()).isEqualTo(300);
        assertThat(inventory.tables()).singleElement().satisfies((table) -> {
            assertThat(table.rows()).isEqualTo(300);
            assertThat(table.bytes()).isPositive();
        });

        // REDIS_PRIMARY: the SQLite file alone, as before the starter, through the API.
        this.http.put().uri("/clients/live-1").contentType(MediaType.APPLICATION_JSON)
            .body(Map.of("name", "Live one"))
            .exchange()
            .expectStatus().isCreated();
        assertThat(namesIn(sqlite, "live-1")).containsExactly("Live one");
        assertThat(postgresNames("live-1")).isEmpty();

        // DUAL: the file first, then PostgreSQL; the backfill copies the history behind.
        moveTo("DUAL");
        this.clients.save(Client.register("live-2", "Live two", "two@example.com", Instant.now()));
        this.clients.save(this.clients.findById("client-00001").orElseThrow().changed("Renamed in DUAL", null));
        assertThat(namesIn(sqlite, "live-2")).containsExactly("Live two");
        assertThat(postgresNames("live-2")).containsExactly("Live two");
        assertThat(postgresNames("client-00001")).containsExactly("Renamed in DUAL");
        // Inside the application's own SQLite transaction, a read and then two writes: the
        // intents are written in that transaction (SQLite has one writer), and the copies wait
        // for the commit (a copy made before it would read the file without the writes). In WAL
        // mode a transaction that reads first cannot write once another connection has committed
        // since its read (SQLITE_BUSY_SNAPSHOT): the earlier writes' intents, closed off their
        // callers' paths, are gone first.
        awaitNoOpenIntent(sqlite);
        new TransactionTemplate(this.sqliteTransactions).executeWithoutResult((status) -> {
            Client renamed = this.clients.findById("client-00002").orElseThrow().changed("Renamed in a transaction", null);
            this.clients.save(renamed);
            this.clients.save(Client.register("in-transaction", "Committed later", null, Instant.now()));
            assertThat(postgresNames("in-transaction")).isEmpty();
        });
        assertThat(postgresNames("in-transaction")).containsExactly("Committed later");
        assertThat(postgresNames("client-00002")).containsExactly("Renamed in a transaction");
        awaitNoOpenIntent(sqlite);
        // Rolled back: the row is not in the file, no intent is left open, and PostgreSQL holds
        // what the file holds: nothing.
        new TransactionTemplate(this.sqliteTransactions).executeWithoutResult((status) -> {
            this.clients.save(Client.register("rolled-back", "Never", null, Instant.now()));
            status.setRollbackOnly();
        });
        assertThat(namesIn(sqlite, "rolled-back")).isEmpty();
        assertThat(postgresNames("rolled-back")).isEmpty();
        awaitNoOpenIntent(sqlite);

        BackfillReport report = this.backfill.run(List.of("clients"), this.backfill.defaults().withBatchSize(64))
            .reports()
            .get(0);
        assertThat(report.state()).as(report.toString()).isEqualTo(BackfillState.COMPLETED);
        assertThat(report.rowsRejected()).isZero();
        assertThat(count(this.jdbc, "clients")).isEqualTo(303);
        assertAgree(303);

        // POSTGRES_PRIMARY: PostgreSQL first, the file kept as the way back.
        moveTo("POSTGRES_PRIMARY");
        this.clients.save(Client.register("live-3", "Live three", null, Instant.now()));
        this.clients.deleteById("live-1");
        assertThat(postgresNames("live-3")).containsExactly("Live three");
        assertThat(namesIn(sqlite, "live-3")).containsExactly("Live three");
        assertThat(postgresNames("live-1")).isEmpty();
        assertThat(namesIn(sqlite, "live-1")).isEmpty();
        assertThat(this.clients.findById("live-3")).map(Client::getName).contains("Live three");
        assertAgree(303);

        // POSTGRES_ONLY: the file is no longer written.
        moveTo("POSTGRES_ONLY");
        this.clients.save(Client.register("live-4", "Live four", null, Instant.now()));
        assertThat(postgresNames("live-4")).containsExactly("Live four");
        assertThat(namesIn(sqlite, "live-4")).isEmpty();
        assertThat(this.clients.findById("live-4")).map(Client::getName).contains("Live four");
        this.http.get().uri("/clients/live-4").exchange()
            .expectStatus().isOk()
            .expectBody().jsonPath("$.name").isEqualTo("Live four");
        // The file's repair records and intents are kept in the file itself.
        assertThat(this.repairLogs.logOf("clients")).isInstanceOf(JdbcRepairLog.class);
        assertThat(count(sqlite, "dualwrite_source_repair")).isZero();
    }

    // As an operator moves it: the endpoint, which records who and why in the ledger, and
    // refuses a move forward without a finished backfill and a clean verification.
    private void moveTo(String strategy) {
        this.http.post().uri("/actuator/dualwrite/clients").contentType(MediaType.APPLICATION_JSON)
            .headers((headers) -> headers.setBasicAuth("ops", "walk-the-plank"))
            .body(Map.of("strategy", strategy, "reason", "SQLite walk test"))
            .exchange()
            .expectStatus().isOk()
            .expectBody().jsonPath("$.to").isEqualTo(strategy);
        assertThat(this.strategies.strategyFor("clients")).isEqualTo(WriteStrategy.valueOf(strategy));
    }

    // Intents are closed off the caller's path, just after the call.
    private static void awaitNoOpenIntent(JdbcTemplate sqlite) {
        await().atMost(Duration.ofSeconds(10)).until(() -> count(sqlite, "dualwrite_source_intent") == 0);
    }

    private void assertAgree(int rows) {
        VerificationReport verification = this.verifier.verify(Verifier.find(this.registry::all, "clients"),
                VerifyOptions.full());
        assertThat(verification.agree()).as(verification.summary()).isTrue();
        assertThat(verification.compared()).isEqualTo(rows);
    }

    private List<String> postgresNames(String id) {
        return this.jdbc.sql("select name from clients where id = ?").param(id).query(String.class).list();
    }

    private static List<String> namesIn(JdbcTemplate sqlite, String id) {
        return sqlite.queryForList("select name from clients where id = ?", String.class, id);
    }

    private static long count(JdbcTemplate jdbc, String table) {
        Long rows = jdbc.queryForObject("select count(*) from " + table, Long.class);
        return (rows != null) ? rows : -1;
    }

    private static long count(JdbcClient jdbc, String table) {
        return jdbc.sql("select count(*) from " + table).query(Long.class).single();
    }

    private static JdbcTemplate sqlite() {
        SQLiteDataSource dataSource = new SQLiteDataSource();
        dataSource.setUrl("jdbc:sqlite:" + file);
        return new JdbcTemplate(dataSource);
    }

    private static Path createDirectory() {
        try {
            return Files.createTempDirectory("sqlite-clients-");
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

}
