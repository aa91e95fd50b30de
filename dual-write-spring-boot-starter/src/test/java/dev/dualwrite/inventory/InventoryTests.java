package dev.dualwrite.inventory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import dev.dualwrite.core.backfill.Backfill;
import dev.dualwrite.core.backfill.BackfillCheckpoint;
import dev.dualwrite.core.backfill.BackfillState;
import dev.dualwrite.core.inventory.Inventory;
import dev.dualwrite.core.inventory.InventoryReport;
import dev.dualwrite.core.inventory.InventoryReport.BackfillEstimate;
import dev.dualwrite.core.inventory.InventoryReport.PartInventory;
import dev.dualwrite.core.inventory.InventoryReport.RepositoryInventory;
import dev.dualwrite.core.inventory.InventoryReport.StoreSummary;
import dev.dualwrite.core.inventory.KeyRole;
import dev.dualwrite.testsupport.TestSchema;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The inventory against the real Redis and PostgreSQL: both repository shapes with their
 * auxiliary keys, keys with and without expiry, a key of the wrong type, keys of no
 * repository, sampled memory, the backfill estimate before and after a real backfill, and
 * the {@code dualwriteinventory} endpoint over HTTP (an operator's start in the background, the
 * report read after it, the ledger's record of who and why).
 */
@SpringBootTest(classes = InventoryHostApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "management.endpoints.web.exposure.include=dualwriteinventory",
                "spring.security.user.name=operator", "spring.security.user.password=operator-secret",
                "dual-write.backfill.require-dual=false" })
@DirtiesContext
class InventoryTests {

    private static final TestSchema schema = TestSchema.create(InventoryTests.class);

    private static final String CRATES = "inventory_crates";

    private static final String PARCELS = "inventory_parcels";

    private static final JsonMapper json = JsonMapper.builder().build();

    @Autowired
    private Inventory inventory;

    @Autowired
    private ApplicationContext context;

    @LocalServerPort
    private int port;

    @DynamicPropertySource
    static void servers(DynamicPropertyRegistry registry) {
        for (String property : InventoryStores.properties(schema)) {
            String[] keyValue = property.split("=", 2);
            registry.add(keyValue[0], () -> keyValue[1]);
        }
    }

    @BeforeAll
    static void seed(@Autowired ApplicationContext context) {
        InventoryStores.seed(context);
    }

    @AfterAll
    static void cleanUp() {
        InventoryStores.KEYS.deleteKeys();
        schema.close();
    }

    @Test
    void hashRepositoryReportsItsEntitiesAndEachAuxiliaryPatternSeparately() {
        RepositoryInventory crates = repository(this.inventory.take(List.of(CRATES)), CRATES);
        String keyspace = InventoryStores.crateKeyspace();
        assertThat(crates.shape()).isEqualTo("@RedisHash keyspace '" + keyspace + "'");
        PartInventory entities = part(crates, keyspace + ":*");
        assertThat(entities.role()).isEqualTo(KeyRole.ENTITIES);
        assertThat(entities.count()).isEqualTo(InventoryStores.CRATES);
        assertThat(entities.types()).isEqualTo(Map.of("hash", (long) InventoryStores.CRATES));
        assertThat(entities.expiring()).isEqualTo(InventoryStores.EXPIRING_CRATES);
        assertThat(entities.expiringShare())
            .isEqualTo((double) InventoryStores.EXPIRING_CRATES / InventoryStores.CRATES);
        PartInventory set = part(crates, keyspace);
        assertThat(set.role()).isEqualTo(KeyRole.KEYSPACE_SET);
        assertThat(set.count()).isOne();
        assertThat(set.types()).isEqualTo(Map.of("set", 1L));
        PartInventory index = part(crates, keyspace + ":colour:*");
        assertThat(index.role()).isEqualTo(KeyRole.INDEXES);
        assertThat(index.count()).isEqualTo(InventoryStores.COLOURS.size());
        PartInventory perEntity = part(crates, keyspace + ":*:idx");
        assertThat(perEntity.role()).isEqualTo(KeyRole.ENTITY_INDEX_SETS);
        assertThat(perEntity.count()).isEqualTo(InventoryStores.CRATES);
        assertThat(part(crates, keyspace + ":*:phantom").count()).isZero();
        assertThat(crates.parts()).filteredOn((part) -> part.role() == KeyRole.DUAL_WRITE)
            .extracting(PartInventory::pattern)
            .containsExactly("dualwrite:repair:{" + CRATES + "}", "dualwrite:repair:{" + CRATES + "}:claims",
                    "dualwrite:intent:{" + CRATES + "}");
        assertThat(crates.entities()).isEqualTo(InventoryStores.CRATES);
    }

    @Test
    void jsonRepositoryCountsEveryKeyUnderItsPrefixWithItsTypes() {
        RepositoryInventory parcels = repository(this.inventory.take(List.of(PARCELS)), PARCELS);
        PartInventory entities = part(parcels, InventoryStores.KEYS.prefix() + "parcel:*");
        assertThat(entities.role()).isEqualTo(KeyRole.ENTITIES);
        // The list under the prefix is the parcels' all the same, shown under its type.
        assertThat(entities.count()).isEqualTo(InventoryStores.PARCELS + 1);
        assertThat(entities.types()).isEqualTo(Map.of("string", (long) InventoryStores.PARCELS, "list", 1L));
        assertThat(entities.expiring()).isEqualTo(InventoryStores.EXPIRING_PARCELS);
        assertThat(parcels.parts()).extracting(PartInventory::role)
            .containsExactly(KeyRole.ENTITIES, KeyRole.DUAL_WRITE, KeyRole.DUAL_WRITE, KeyRole.DUAL_WRITE);
    }

    @Test
    void memoryIsMeasuredOnASampleAndExtrapolatedSayingSo() {
        RepositoryInventory crates = repository(this.inventory.take(List.of(Inventory.ALL)), CRATES);
        PartInventory entities = part(crates, InventoryStores.crateKeyspace() + ":*");
        // memory-sample-keys=10 of 30 hashes.
        assertThat(entities.memory().measuredKeys()).isEqualTo(10);
        assertThat(entities.memory().keys()).isEqualTo(InventoryStores.CRATES);
        assertThat(entities.memory().estimated()).isTrue();
        assertThat(entities.memory().basis())
            .isEqualTo("estimate: MEMORY USAGE SAMPLES 5 of 10 of 30 keys, extrapolated");
        assertThat(entities.memory().bytes()).isPositive();
        // One key measured whole: the figure is Redis's own answer for it.
        PartInventory set = part(crates, InventoryStores.crateKeyspace());
        long measured = InventoryStores.redis((commands) -> commands.dispatch(CommandType.MEMORY,
                new IntegerOutput<>(StringCodec.UTF8), new CommandArgs<>(StringCodec.UTF8).add("USAGE")
                    .addKey(InventoryStores.crateKeyspace())
                    .add("SAMPLES")
                    .add(5)));
        assertThat(set.memory().bytes()).isEqualTo(measured);
        assertThat(set.memory().basis()).isEqualTo("estimate: MEMORY USAGE SAMPLES 5 of 1 of 1 keys");
    }

    @Test
    void keysOfNoRepositoryAreCountedByTypeWithAFewNamesAndNoValues() {
        InventoryReport report = this.inventory.take(List.of(Inventory.ALL));
        assertThat(report.stores()).hasSize(1);
        StoreSummary store = report.stores().get(0);
        assertThat(store.match()).isEqualTo(InventoryStores.KEYS.prefix() + "*");
        long owned = report.repositories()
            .stream()
            .flatMap((repository) -> repository.parts().stream())
            .mapToLong(PartInventory::count)
            .sum();
        assertThat(store.unmatched().count()).isEqualTo(InventoryStores.strayKeys().size());
        assertThat(store.scanned()).isEqualTo(owned + store.unmatched().count());
        assertThat(store.unmatched().types())
            .isEqualTo(Map.of("string", (long) InventoryStores.STRAY_STRINGS, "hash", 1L));
        // unmatched-examples=3: names only.
        assertThat(store.unmatched().examples()).hasSize(3).isSubsetOf(InventoryStores.strayKeys());
        assertThat(report.toText()).doesNotContain("left behind").doesNotContain("dark");
    }

    @Test
    void backfillEstimateUsesTheLastMeasuredRunAndSaysWhenThereIsNone() {
        InventoryReport before = this.inventory.take(List.of(PARCELS));
        BackfillEstimate none = repository(before, PARCELS).backfill();
        assertThat(none.rows()).isEqualTo(InventoryStores.PARCELS + 1);
        assertThat(none.rowsPerSecond()).isNull();
        assertThat(none.time()).isNull();
        assertThat(none.basis()).isEqualTo("no backfill measured yet");

        Backfill backfill = this.context.getBean(Backfill.class);
        backfill.start(List.of(PARCELS), backfill.defaults(), "inventory test").await();
        BackfillCheckpoint checkpoint = backfill.checkpoint(PARCELS).orElseThrow();
        assertThat(checkpoint.state()).isEqualTo(BackfillState.COMPLETED);

        InventoryReport after = this.inventory.take(List.of(PARCELS));
        BackfillEstimate estimate = repository(after, PARCELS).backfill();
        long millis = Duration.between(checkpoint.startedAt(), checkpoint.finishedAt()).toMillis();
        double rate = checkpoint.rowsRead() * 1000.0 / millis;
        assertThat(estimate.rowsPerSecond()).isEqualTo(rate);
        assertThat(estimate.time()).isEqualTo(Duration.ofMillis(Math.round(estimate.rows() / rate * 1000)));
        assertThat(estimate.basis()).contains("rows read in", "COPY_MISSING run " + checkpoint.runId(), "COMPLETED");
        // The crates were never backfilled.
        assertThat(repository(this.inventory.take(List.of(CRATES)), CRATES).backfill().basis())
            .isEqualTo("no backfill measured yet");
    }

    @Test
    void operatorStartsAnInventoryInTheBackgroundAndReadsItsReportRecordedWithWhoAndWhy() throws Exception {
        HttpResponse<String> started = post("{\"reason\":\"sizing the migration\"}");
        assertThat(started.statusCode()).isEqualTo(202);
        JsonNode run = json.readTree(started.body());
        String id = run.get("id").asString();
        assertThat(run.get("startedBy").asString()).isEqualTo("operator");
        assertThat(run.get("reason").asString()).isEqualTo("sizing the migration");

        JsonNode last = await("the inventory " + id + " to finish").atMost(Duration.ofSeconds(30))
            .until(() -> json.readTree(get("").body()).get("last"),
                    (node) -> node != null && !node.isNull() && node.get("id").asString().equals(id));
        assertThat(last.get("state").asString()).isEqualTo("COMPLETED");
        JsonNode report = last.get("report");
        assertThat(report.get("repositories")).hasSize(2);
        JsonNode crates = report.get("repositories").get(0);
        assertThat(crates.get("repository").asString()).isEqualTo(CRATES);
        assertThat(crates.get("entities").asLong()).isEqualTo(InventoryStores.CRATES);
        assertThat(crates.get("entitiesBasis").asString()).isEqualTo("SCARD " + InventoryStores.crateKeyspace());
        JsonNode entities = crates.get("parts").get(0);
        assertThat(entities.get("pattern").asString()).isEqualTo(InventoryStores.crateKeyspace() + ":*");
        assertThat(entities.get("count").asLong()).isEqualTo(InventoryStores.CRATES);
        assertThat(entities.get("types").get("hash").asLong()).isEqualTo(InventoryStores.CRATES);
        assertThat(entities.get("expiringShare").asDouble())
            .isEqualTo((double) InventoryStores.EXPIRING_CRATES / InventoryStores.CRATES);
        assertThat(entities.get("memory").get("estimated").asBoolean()).isTrue();
        assertThat(entities.get("memory").get("measuredKeys").asLong()).isEqualTo(10);
        assertThat(report.get("stores").get(0).get("unmatched").get("count").asLong())
            .isEqualTo(InventoryStores.strayKeys().size());

        HttpResponse<String> one = get("/" + PARCELS);
        assertThat(one.statusCode()).isEqualTo(200);
        JsonNode parcels = json.readTree(one.body()).get("last").get("report").get("repositories");
        assertThat(parcels).hasSize(1);
        assertThat(parcels.get(0).get("repository").asString()).isEqualTo(PARCELS);
        assertThat(get("/no_such_repository").statusCode()).isEqualTo(404);

        JdbcTemplate jdbc = new JdbcTemplate(this.context.getBean(DataSource.class));
        assertThat(jdbc.queryForList("select action || ' ' || actor || ' ' || reason from dualwrite_ledger"
                + " where repository = ? and action like 'INVENTORY%' and details like ? order by id", String.class,
                CRATES, "inventory " + id + "%"))
            .containsExactly("INVENTORY_STARTED operator sizing the migration",
                    "INVENTORY_FINISHED operator sizing the migration");
    }

    @Test
    void endpointNeedsTheLoginTheApplicationsActuatorSecurityAsksFor() throws Exception {
        HttpRequest anonymous = HttpRequest.newBuilder(uri("")).GET().build();
        assertThat(HttpClient.newHttpClient().send(anonymous, HttpResponse.BodyHandlers.ofString()).statusCode())
            .isEqualTo(401);
        HttpRequest anonymousStart = HttpRequest.newBuilder(uri(""))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{}"))
            .build();
        assertThat(HttpClient.newHttpClient().send(anonymousStart, HttpResponse.BodyHandlers.ofString()).statusCode())
            .isEqualTo(401);
    }

    private HttpResponse<String> post(String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(uri(""))
            .header("Authorization", "Basic " + credentials())
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static String credentials() {
        return Base64.getEncoder().encodeToString("operator:operator-secret".getBytes(StandardCharsets.UTF_8));
    }

    private HttpResponse<String> get(String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(uri(path))
            .header("Authorization", "Basic " + credentials())
            .timeout(Duration.ofSeconds(30))
            .GET()
            .build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + this.port + "/actuator/dualwriteinventory" + path);
    }

    private static RepositoryInventory repository(InventoryReport report, String name) {
        return report.repositories()
            .stream()
            .filter((repository) -> repository.repository().equals(name))
            .findFirst()
            .orElseThrow(() -> new AssertionError("No " + name + " in " + report.repositories()));
    }

    private static PartInventory part(RepositoryInventory repository, String pattern) {
        return repository.parts()
            .stream()
            .filter((part) -> part.pattern().equals(pattern))
            .findFirst()
            .orElseThrow(() -> new AssertionError("No pattern " + pattern + " in " + repository.parts()));
    }

}
