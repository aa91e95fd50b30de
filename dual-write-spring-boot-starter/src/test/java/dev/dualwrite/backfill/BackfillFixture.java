package dev.dualwrite.backfill;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.dualwrite.testsupport.PostgresServer;
import dev.dualwrite.testsupport.RedisServer;
import dev.dualwrite.testsupport.TestKeyPrefix;
import dev.dualwrite.testsupport.TestSchema;
import dev.dualwrite.testsupport.TestServers;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * The stores of one backfill test class: its own PostgreSQL schema and Redis key prefix (the
 * {@code @RedisHash} keyspace is fixed, so only one class uses it at a time), with direct
 * access to what each store holds, bypassing the application.
 */
final class BackfillFixture implements AutoCloseable {

    final TestSchema schema;

    final TestKeyPrefix keys;

    final JdbcTemplate postgres;

    private final RedisClient client;

    final RedisCommands<String, String> redis;

    private final StatefulRedisConnection<String, String> connection;

    BackfillFixture(Class<?> testClass) {
        this.schema = TestSchema.create(testClass);
        this.keys = TestKeyPrefix.create(testClass);
        this.postgres = new JdbcTemplate(this.schema.dataSource());
        RedisServer server = TestServers.redis();
        this.client = RedisClient.create(RedisURI.create(server.host(), server.port()));
        this.connection = this.client.connect();
        this.redis = this.connection.sync();
    }

    /** Return the host application's properties, as {@code key=value} pairs. */
    String[] properties() {
        PostgresServer postgres = this.schema.server();
        RedisServer redis = TestServers.redis();
        return new String[] { "spring.datasource.url=" + this.schema.jdbcUrl(),
                "spring.datasource.username=" + postgres.username(),
                "spring.datasource.password=" + postgres.password(), "spring.datasource.hikari.maximum-pool-size=8",
                "spring.flyway.locations=classpath:db/backfill", "spring.flyway.schemas=" + this.schema.name(),
                "spring.data.redis.host=" + redis.host(), "spring.data.redis.port=" + redis.port(),
                "spring.data.redis.timeout=5s", "dwtest.backfill.prefix=" + this.keys.prefix(),
                "dual-write.secondary.timeout=10s", "dual-write.control.in-flight-grace=15s",
                "dual-write.secondary.circuit-breaker.minimum-number-of-calls=100000",
                "dual-write.backfill.progress-interval=1s" };
    }

    void register(DynamicPropertyRegistry registry) {
        for (String property : properties()) {
            String[] keyValue = property.split("=", 2);
            registry.add(keyValue[0], () -> keyValue[1]);
        }
    }

    String gizmoKey(String id) {
        return this.keys.key("gizmo:" + id);
    }

    static String json(Gizmo gizmo) {
        return "{\"id\":\"" + gizmo.id() + "\",\"name\":\"" + gizmo.name() + "\",\"quantity\":" + gizmo.quantity()
                + "}";
    }

    /** Write gizmos straight into Redis (as the service wrote them before the migration). */
    List<Gizmo> seedGizmos(int count) {
        List<Gizmo> gizmos = new ArrayList<>();
        Map<String, String> batch = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            Gizmo gizmo = new Gizmo("g" + i, "gizmo " + i, i % 50);
            gizmos.add(gizmo);
            batch.put(gizmoKey(gizmo.id()), json(gizmo));
            if (batch.size() == 1000) {
                this.redis.mset(batch);
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            this.redis.mset(batch);
        }
        return gizmos;
    }

    /** Return what Redis holds under the gizmo prefix, by key suffix, as JSON. */
    Map<String, String> gizmosInRedis() {
        Map<String, String> found = new TreeMap<>();
        String prefix = gizmoKey("");
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            KeyScanCursor<String> page = this.redis.scan(cursor, ScanArgs.Builder.matches(prefix + "*").limit(1000));
            if (!page.getKeys().isEmpty()) {
                for (KeyValue<String, String> value : this.redis.mget(page.getKeys().toArray(String[]::new))) {
                    if (value.hasValue()) {
                        found.put(value.getKey().substring(prefix.length()), value.getValue());
                    }
                }
            }
            cursor = page;
        }
        while (!cursor.isFinished());
        return found;
    }

    /** Return what PostgreSQL holds, by id, in the JSON form the tests write. */
    Map<String, String> gizmosInPostgres() {
        Map<String, String> found = new TreeMap<>();
        this.postgres.query("select id, name, quantity from backfill_gizmos", (rs) -> {
            found.put(rs.getString(1), json(new Gizmo(rs.getString(1), rs.getString(2), rs.getInt(3))));
        });
        return found;
    }

    void clear() {
        this.postgres.update("delete from backfill_gizmos");
        this.postgres.update("delete from backfill_sprockets");
        this.postgres.update("delete from dualwrite_backfill_checkpoint");
        this.postgres.update("delete from dualwrite_backfill_partition");
        this.postgres.update("delete from dualwrite_backfill_reject");
        this.postgres.update("delete from dualwrite_repair");
        this.keys.deleteKeys();
        deleteSprocketKeys();
        this.redis.del("dualwrite:repair:{backfill_gizmos}", "dualwrite:repair:{backfill_sprockets}",
                    "dualwrite:intent:{backfill_gizmos}", "dualwrite:intent:{backfill_sprockets}");
    }

    /**
     * Return the number of gizmo writes whose {@code DUAL} intent is still open: a write's last
     * step, confirming its copy to PostgreSQL against Redis, runs off the caller's path as its
     * intent closes, so the stores may differ until none is left.
     */
    long openGizmoIntents() {
        return this.redis.zcard("dualwrite:intent:{backfill_gizmos}");
    }

    /**
     * Clear what the gizmo tests wrote, leaving the {@code @RedisHash} keyspace (shared by
     * every class that uses sprockets) alone.
     */
    void clearGizmos() {
        this.postgres.update("delete from backfill_gizmos");
        this.postgres.update("delete from dualwrite_backfill_checkpoint");
        this.postgres.update("delete from dualwrite_backfill_partition");
        this.postgres.update("delete from dualwrite_backfill_reject");
        this.postgres.update("delete from dualwrite_repair");
        this.keys.deleteKeys();
        this.redis.del("dualwrite:repair:{backfill_gizmos}", "dualwrite:intent:{backfill_gizmos}");
    }

    /** Close without touching the sprockets' keyspace (for classes that never write it). */
    void closeGizmos() {
        try {
            this.keys.deleteKeys();
            this.redis.del("dualwrite:repair:{backfill_gizmos}", "dualwrite:intent:{backfill_gizmos}");
        }
        finally {
            this.connection.close();
            this.client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            this.schema.close();
        }
    }

    void deleteSprocketKeys() {
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            KeyScanCursor<String> page = this.redis.scan(cursor,
                    ScanArgs.Builder.matches(Sprocket.KEYSPACE + "*").limit(1000));
            if (!page.getKeys().isEmpty()) {
                this.redis.unlink(page.getKeys().toArray(String[]::new));
            }
            cursor = page;
        }
        while (!cursor.isFinished());
    }

    @Override
    public void close() {
        try {
            this.keys.deleteKeys();
            deleteSprocketKeys();
            this.redis.del("dualwrite:repair:{backfill_gizmos}", "dualwrite:repair:{backfill_sprockets}",
                    "dualwrite:intent:{backfill_gizmos}", "dualwrite:intent:{backfill_sprockets}");
        }
        finally {
            this.connection.close();
            this.client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            this.schema.close();
        }
    }

}
