package dev.dualwrite.contract.hash;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.dualwrite.autoconfigure.health.DualWriteHealthIndicator;
import dev.dualwrite.contract.ContractStores;
import dev.dualwrite.contract.hash.redis.ItemRepository;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.health.actuate.endpoint.HealthDescriptor;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.actuate.endpoint.IndicatedHealthDescriptor;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The {@code dualwrite} health of a host application, read through the actuator's health
 * endpoint while PostgreSQL really fails (through a TCP proxy): {@code DEGRADED} once writes
 * made in DUAL await repair in PostgreSQL past the threshold, {@code DOWN} while the shared
 * stage cannot be read. The status order is the one the README recommends, so
 * {@code DEGRADED} counts in the application's overall health.
 */
@DirtiesContext
@SpringBootTest(classes = HashContractApplication.class,
        properties = { "spring.flyway.locations=classpath:db/contract/hash", "dual-write.strategy=DUAL",
                "dual-write.repair.enabled=false", "dual-write.health.repair-backlog-threshold=0",
                "dual-write.health.cache-for=0s", "management.endpoints.web.exposure.include=health",
                "management.endpoint.health.show-details=always",
                "management.endpoint.health.status.order=down,out-of-service,degraded,up,unknown",
                // The disk of a shared build machine is no concern of these tests.
                "management.health.diskspace.enabled=false" })
class DualWriteHealthTests {

    private static final ContractStores stores = ContractStores.start(DualWriteHealthTests.class, Item.KEYSPACE);

    @Autowired
    private HealthEndpoint health;

    @Autowired
    private ItemRepository repository;

    @DynamicPropertySource
    static void servers(DynamicPropertyRegistry registry) {
        stores.register(registry);
    }

    @AfterEach
    void restoreAndClear() {
        stores.restore();
        stores.clear(List.of("hash_items"), List.of("hash_items"));
    }

    @AfterAll
    static void cleanUp() {
        stores.close();
    }

    @Test
    void upWhenEveryInstanceAgreesAndNothingIsOwed() {
        IndicatedHealthDescriptor dualwrite = dualwrite();
        assertThat(dualwrite.getStatus()).isEqualTo(Status.UP);
        assertThat(hashItems(dualwrite)).containsEntry("stage", "DUAL");
        assertThat(this.health.health().getStatus()).isEqualTo(Status.UP);
    }

    @Test
    void degradedWhenWritesMadeInDualAwaitRepairInPostgres() {
        stores.postgresProxy().refuseConnections();
        this.repository.save(new Item("missed", "Missed", "x", 1));
        stores.restore();
        // The pool may still hand out a connection the proxy cut, answering DOWN once; the
        // backlog shows once such connections are gone.
        await().atMost(Duration.ofSeconds(30))
            .untilAsserted(() -> assertThat(dualwrite().getStatus()).isEqualTo(DualWriteHealthIndicator.DEGRADED));
        Map<String, Object> owedToPostgres = map(map(hashItems(dualwrite()), "repairs"), "postgres");
        assertThat((Long) owedToPostgres.get("backlog")).isPositive();
        assertThat(hashItems(dualwrite()).get("problems")).asString()
            .contains("key(s) await repair in PostgreSQL, more than dual-write.health.repair-backlog-threshold (0)");
        assertThat(this.health.health().getStatus()).isEqualTo(DualWriteHealthIndicator.DEGRADED);
    }

    @Test
    void downWhilePostgresIsUnreachableThenUpAgain() {
        stores.postgresProxy().refuseConnections();
        IndicatedHealthDescriptor down = dualwrite();
        assertThat(down.getStatus()).isEqualTo(Status.DOWN);
        assertThat(down.getDetails().get("error")).asString()
            .startsWith("the shared stage of repository 'hash_items' cannot be read from PostgreSQL")
            .endsWith("until it can, no stage can move and instances do not apply moves made elsewhere");
        stores.restore();
        await().atMost(Duration.ofSeconds(30))
            .untilAsserted(() -> assertThat(dualwrite().getStatus()).isEqualTo(Status.UP));
    }

    private IndicatedHealthDescriptor dualwrite() {
        HealthDescriptor descriptor = this.health.healthForPath("dualwrite");
        assertThat(descriptor).isInstanceOf(IndicatedHealthDescriptor.class);
        return (IndicatedHealthDescriptor) descriptor;
    }

    private static Map<String, Object> hashItems(IndicatedHealthDescriptor dualwrite) {
        return map(map(dualwrite.getDetails(), "repositories"), "hash_items");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> details, String key) {
        assertThat(details).containsKey(key);
        return (Map<String, Object>) details.get(key);
    }

}
