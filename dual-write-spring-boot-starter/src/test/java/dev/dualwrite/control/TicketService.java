package dev.dualwrite.control;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import dev.dualwrite.contract.ContractStores;
import dev.dualwrite.control.app.Ticket;
import dev.dualwrite.control.app.TicketApplication;
import dev.dualwrite.core.control.InstanceStage;
import dev.dualwrite.core.repair.RedisRepairKeys;
import dev.dualwrite.testsupport.TcpProxy;
import dev.dualwrite.testsupport.TestServers;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.ScanOptions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One service run as several instances in this JVM (each a Spring context of
 * {@link TicketApplication}), sharing the test class's PostgreSQL schema and, through the
 * class's proxies, both servers; its repository has a name and a Redis key prefix of its
 * own, so services of one class (and runs on other checkouts) never share a stage, a key or a
 * repair record. Also reads what each store really holds, bypassing the proxies.
 */
final class TicketService implements AutoCloseable {

    private static final AtomicInteger services = new AtomicInteger();

    private static final JsonMapper json = JsonMapper.builder().build();

    private final ContractStores stores;

    private final String repository;

    private final String keyPrefix;

    private final Map<String, String> settings;

    private final List<TicketInstance> running = new CopyOnWriteArrayList<>();

    /**
     * @param stores the test class's stores
     * @param classPrefix the Redis key prefix of the test class, which the stores clean up
     * @param settings properties of every instance, over the defaults of this fixture
     */
    TicketService(ContractStores stores, String classPrefix, Map<String, String> settings) {
        int number = services.incrementAndGet();
        this.stores = stores;
        // Random: the name keys the Redis repair log, which other checkouts' runs share.
        this.repository = "tickets_" + UUID.randomUUID().toString().substring(0, 8) + "_" + number;
        this.keyPrefix = classPrefix + "s" + number + ":ticket:";
        this.settings = Map.copyOf(settings);
    }

    String repository() {
        return this.repository;
    }

    ContractStores stores() {
        return this.stores;
    }

    /** The prefix of this service's Redis keys: a ticket's key is the prefix and its id. */
    String keyPrefix() {
        return this.keyPrefix;
    }

    /**
     * Start an instance through the class's proxies.
     * @param instanceId its {@code dual-write.control.instance-id}
     * @param properties more properties, {@code name=value}
     * @return the started instance
     */
    TicketInstance start(String instanceId, String... properties) {
        return start(instanceId, null, properties);
    }

    /**
     * Start an instance whose PostgreSQL connections go through a proxy of its own, so that a
     * test can cut it off alone.
     * @param instanceId its {@code dual-write.control.instance-id}
     * @param postgres the proxy in front of PostgreSQL, or {@code null} for the class's
     * @param properties more properties, {@code name=value}
     * @return the started instance
     */
    TicketInstance start(String instanceId, @Nullable TcpProxy postgres, String... properties) {
        Map<String, String> all = new LinkedHashMap<>();
        this.stores.register((name, value) -> all.put(name, String.valueOf(value.get())));
        if (postgres != null) {
            all.put("spring.datasource.url", TestServers.postgres().withAddress(postgres.host(), postgres.port())
                .jdbcUrl(this.stores.schema()) + "&socketTimeout=5");
        }
        all.put("spring.main.web-application-type", "none");
        all.put("spring.main.banner-mode", "off");
        all.put("spring.datasource.hikari.minimum-idle", "2");
        all.put("spring.flyway.locations", "classpath:db/control");
        all.put(Ticket.PREFIX_PROPERTY, this.keyPrefix);
        all.put("dual-write.repositories." + this.repository + ".redis-repository", "ticketRepository");
        all.put("dual-write.repositories." + this.repository + ".postgres-repository", "ticketRowRepository");
        all.put("dual-write.strategy", "REDIS_PRIMARY");
        // Short intervals keep the tests fast: an instance applies a move within 200 ms.
        all.put("dual-write.control.poll-interval", "200ms");
        all.put("dual-write.control.heartbeat-interval", "500ms");
        all.put("dual-write.repair.interval", "200ms");
        all.put("dual-write.repair.min-age", "500ms");
        all.put("dual-write.repair.initial-backoff", "200ms");
        all.put("dual-write.repair.max-backoff", "2s");
        all.put("dual-write.secondary.timeout", "1s");
        all.putAll(this.settings);
        all.put("dual-write.control.instance-id", instanceId);
        for (String property : properties) {
            int equals = property.indexOf('=');
            all.put(property.substring(0, equals), property.substring(equals + 1));
        }
        List<String> args = new ArrayList<>();
        all.forEach((name, value) -> args.add("--" + name + "=" + value));
        TicketInstance instance = new TicketInstance(instanceId, this.repository,
                new SpringApplicationBuilder(TicketApplication.class).run(args.toArray(String[]::new)));
        this.running.add(instance);
        return instance;
    }

    /** Stop an instance as a shutdown does. */
    void stop(TicketInstance instance) {
        this.running.remove(instance);
        instance.stop();
    }

    /**
     * Wait until each of {@code instances} reports, in its heartbeat, that it applies
     * {@code epoch}: what the next move needs of it.
     * @param epoch the epoch
     * @param instances the instances
     * @return how long it took
     */
    Duration awaitApplied(long epoch, TicketInstance... instances) {
        long start = System.nanoTime();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
            Map<String, InstanceStage> reported = new HashMap<>();
            instances[0].controlPlane().instances(this.repository).forEach((row) -> reported.put(row.instanceId(), row));
            for (TicketInstance instance : instances) {
                InstanceStage row = reported.get(instance.id());
                assertThat(row).as("heartbeat of %s", instance).isNotNull();
                assertThat(row.epoch()).as("epoch %s applies", instance).isEqualTo(epoch);
                assertThat(row.live()).as("%s is live", instance).isTrue();
            }
        });
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /** What Redis holds under this service's prefix, read directly, by id. */
    Map<String, Ticket> inRedis() {
        List<String> keys = new ArrayList<>();
        try (Cursor<String> cursor = this.stores.redis()
            .scan(ScanOptions.scanOptions().match(this.keyPrefix + "*").count(1000).build())) {
            cursor.forEachRemaining(keys::add);
        }
        Map<String, Ticket> tickets = new HashMap<>();
        List<String> values = keys.isEmpty() ? List.of() : this.stores.redis().opsForValue().multiGet(keys);
        for (int i = 0; i < keys.size(); i++) {
            // A key deleted between SCAN and MGET reads as null: it is gone.
            if (values.get(i) != null) {
                tickets.put(keys.get(i).substring(this.keyPrefix.length()), json.readValue(values.get(i), Ticket.class));
            }
        }
        return tickets;
    }

    /** What PostgreSQL holds, read directly, by id (the table belongs to this service while it runs). */
    Map<String, Ticket> inPostgres() {
        Map<String, Ticket> tickets = new HashMap<>();
        this.stores.postgres()
            .query("select id, owner, version from control_tickets", (rs) -> {
                Ticket ticket = new Ticket(rs.getString("id"), rs.getString("owner"), rs.getLong("version"));
                tickets.put(ticket.id(), ticket);
            });
        return tickets;
    }

    /** Keys PostgreSQL is owed: records of the Redis repair log. */
    long owedToPostgres() {
        return this.stores.redis().opsForHash().size(RedisRepairKeys.DEFAULT.records(this.repository));
    }

    /** Write intents of DUAL writes not yet closed: a write's record, if any, is made before its intent goes. */
    long openIntents() {
        Long count = this.stores.redis().opsForZSet().size(RedisRepairKeys.DEFAULT.intents(this.repository));
        return (count != null) ? count : 0;
    }

    /** Keys Redis is owed: records of the PostgreSQL repair log (outbox and rollback log). */
    long owedToRedis() {
        Long count = this.stores.postgres()
            .queryForObject("select count(*) from dualwrite_repair where repository = ?", Long.class, this.repository);
        return (count != null) ? count : 0;
    }

    /** Keys Redis is owed because a copy to it failed (not the outbox records of writes in flight). */
    long failedCopiesToRedis() {
        Long count = this.stores.postgres()
            .queryForObject("select count(*) from dualwrite_repair where repository = ? and attempts > 0", Long.class,
                    this.repository);
        return (count != null) ? count : 0;
    }

    /**
     * Stop every instance and remove what the service left outside its key prefix: the
     * table's rows (services of one class run one after the other) and its Redis repair log.
     */
    @Override
    public void close() {
        for (TicketInstance instance : List.copyOf(this.running)) {
            stop(instance);
        }
        this.stores.postgres().update("delete from control_tickets");
        this.stores.redis().delete(RedisRepairKeys.DEFAULT.all(this.repository));
    }

}
