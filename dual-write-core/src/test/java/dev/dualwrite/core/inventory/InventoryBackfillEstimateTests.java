package dev.dualwrite.core.inventory;

import java.time.Duration;
import java.util.List;

import com.zaxxer.hikari.HikariDataSource;
import dev.dualwrite.core.inventory.InventoryReport.BackfillEstimate;
import dev.dualwrite.testsupport.PostgresServer;
import dev.dualwrite.testsupport.RedisServer;
import dev.dualwrite.testsupport.TcpProxy;
import dev.dualwrite.testsupport.TestKeyPrefix;
import dev.dualwrite.testsupport.TestSchema;
import dev.dualwrite.testsupport.TestServers;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The backfill estimate when there is nothing to estimate from: no checkpoint table yet, no
 * checkpoint row, and PostgreSQL unreachable (the Redis figures are reported all the same);
 * and from a checkpoint as the backfill leaves it, of a run from the start and of a resumed
 * run. Each test creates the tables it needs and drops them after, so none depends on order.
 */
class InventoryBackfillEstimateTests {

    @RegisterExtension
    static final TestSchema schema = TestSchema.create(InventoryBackfillEstimateTests.class);

    @RegisterExtension
    static final TestKeyPrefix keys = TestKeyPrefix.create(InventoryBackfillEstimateTests.class);

    private static LettuceConnectionFactory redis;

    @BeforeAll
    static void seed() {
        RedisServer server = TestServers.redis();
        RedisClient client = RedisClient.create(RedisURI.create(server.host(), server.port()));
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            for (int i = 0; i < 12; i++) {
                connection.sync().set(keys.key("token:" + i), "{}");
            }
        }
        finally {
            client.shutdown();
        }
        redis = new LettuceConnectionFactory(new RedisStandaloneConfiguration(server.host(), server.port()));
        redis.afterPropertiesSet();
        redis.start();
    }

    @AfterAll
    static void stop() {
        redis.destroy();
    }

    @AfterEach
    void dropTables() {
        JdbcTemplate jdbc = new JdbcTemplate(schema.dataSource());
        jdbc.execute("drop table if exists dualwrite_backfill_checkpoint");
        jdbc.execute("drop table if exists dualwrite_ledger");
    }

    @Test
    void withoutTheCheckpointTableNothingWasMeasured() {
        JdbcTemplate jdbc = new JdbcTemplate(schema.dataSource());
        assertThat(jdbc.queryForObject("select to_regclass('dualwrite_backfill_checkpoint') is null", Boolean.class))
            .isTrue();
        BackfillEstimate estimate = estimate(new CheckpointBackfillRates(jdbc));
        assertThat(estimate.rows()).isEqualTo(12);
        assertThat(estimate.basis()).isEqualTo("no backfill measured yet");
    }

    @Test
    void withoutACheckpointRowNothingWasMeasured() {
        JdbcTemplate jdbc = checkpointTables();
        assertThat(estimate(new CheckpointBackfillRates(jdbc)).basis()).isEqualTo("no backfill measured yet");
    }

    @Test
    void aRunFromTheStartGivesItsRate() {
        JdbcTemplate jdbc = checkpointTables();
        finishedRun(jdbc, "run-1", "from the start");
        BackfillEstimate estimate = estimate(new CheckpointBackfillRates(jdbc));
        assertThat(estimate.rowsPerSecond()).isEqualTo(100.0);
        assertThat(estimate.time()).isEqualTo(Duration.ofMillis(120));
        assertThat(estimate.basis()).startsWith("100 rows/s: 1,000 rows read in 10.0 s by COPY_MISSING run run-1")
            .doesNotContain("resumed");
    }

    @Test
    void aResumedRunSaysItsRateIsAnUpperBound() {
        JdbcTemplate jdbc = checkpointTables();
        finishedRun(jdbc, "run-2", "resuming from its checkpoint");
        BackfillEstimate estimate = estimate(new CheckpointBackfillRates(jdbc));
        assertThat(estimate.rowsPerSecond()).isEqualTo(100.0);
        assertThat(estimate.basis()).contains("run run-2", "the run was resumed", "the rate is an upper bound");
    }

    // The columns the rates read, as the library's migrations create them.
    private static JdbcTemplate checkpointTables() {
        JdbcTemplate jdbc = new JdbcTemplate(schema.dataSource());
        jdbc.execute("create table dualwrite_backfill_checkpoint (repository varchar(200) primary key,"
                + " run_id varchar(64) not null, state varchar(16) not null, mode varchar(16) not null,"
                + " rows_read bigint not null, started_at timestamptz not null, updated_at timestamptz not null,"
                + " finished_at timestamptz)");
        jdbc.execute("create table dualwrite_ledger (id bigserial primary key, at timestamptz not null default"
                + " clock_timestamp(), repository varchar(200) not null, action varchar(32) not null,"
                + " actor varchar(200) not null, details text)");
        return jdbc;
    }

    // 1,000 rows in the 10 s of the run's last attempt, its start in the ledger as the control
    // plane's backfill recorder writes it.
    private static void finishedRun(JdbcTemplate jdbc, String run, String start) {
        jdbc.update("insert into dualwrite_backfill_checkpoint values ('tokens', ?, 'COMPLETED', 'COPY_MISSING', 1000,"
                + " now() - interval '10 seconds', now(), now())", run);
        jdbc.update("insert into dualwrite_ledger (repository, action, actor, details)"
                + " values ('tokens', 'BACKFILL_STARTED', 'ops', ?)", "run " + run + ", " + start);
    }

    @Test
    void postgresUnreachableLeavesTheEstimateOutAndSaysWhy() {
        PostgresServer postgres = schema.server();
        try (TcpProxy proxy = TcpProxy.start(postgres.host(), postgres.port())) {
            proxy.refuseConnections();
            try (HikariDataSource dataSource = new HikariDataSource()) {
                dataSource.setJdbcUrl(postgres.withAddress(proxy.host(), proxy.port()).jdbcUrl(schema.name()));
                dataSource.setUsername(postgres.username());
                dataSource.setPassword(postgres.password());
                // A pool that starts without its database and gives up on a connection quickly.
                dataSource.setInitializationFailTimeout(-1);
                dataSource.setConnectionTimeout(1000);
                InventoryReport report = inventory(new CheckpointBackfillRates(new JdbcTemplate(dataSource)));
                BackfillEstimate estimate = report.repositories().get(0).backfill();
                assertThat(estimate.rowsPerSecond()).isNull();
                assertThat(estimate.basis()).startsWith("no estimate: the backfill checkpoints could not be read (");
                assertThat(report.repositories().get(0).entities()).isEqualTo(12);
            }
        }
    }

    private static BackfillEstimate estimate(BackfillRates rates) {
        return inventory(rates).repositories().get(0).backfill();
    }

    private static InventoryReport inventory(BackfillRates rates) {
        RedisInventory store = new RedisInventory("test Redis", redis,
                List.of(RepositoryKeys.jsonStrings("tokens", keys.key("token:"))));
        InventorySettings settings = new InventorySettings(keys.prefix() + "*", 500, 500, 64, 0, 5, 5, 3,
                Duration.ofSeconds(5));
        return new Inventory(() -> List.of(store), rates, settings).take(List.of(Inventory.ALL));
    }

}
