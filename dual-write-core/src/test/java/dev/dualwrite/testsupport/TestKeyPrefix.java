package dev.dualwrite.testsupport;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A Redis key prefix unique to one test class, so that test classes sharing one server never
 * see each other's keys; closing it deletes every key under the prefix with {@code SCAN} and
 * {@code UNLINK} (never {@code KEYS} or {@code FLUSHALL}: the server is shared).
 * <p>
 * Use it as a JUnit extension on a static field, which cleans up after the class's tests:
 * <pre class="code">
 * &#064;RegisterExtension
 * static final TestKeyPrefix keys = TestKeyPrefix.create(TokenRepositoryTests.class);
 * </pre>
 * or with try-with-resources.
 */
public final class TestKeyPrefix implements AutoCloseable, AfterAllCallback {

    private final RedisServer server;

    private final String prefix;

    private TestKeyPrefix(RedisServer server, String prefix) {
        this.server = server;
        this.prefix = prefix;
    }

    /**
     * Create a prefix named after {@code testClass} on {@link TestServers#redis()}.
     * @param testClass the test class that owns the keys
     * @return the prefix
     */
    public static TestKeyPrefix create(Class<?> testClass) {
        return create(TestServers.redis(), testClass.getSimpleName());
    }

    /**
     * Create a prefix {@code dw-test:<label>:<random>:} on {@code server}.
     * @param server the server
     * @param label a readable part of the prefix, e.g. the test class's simple name
     * @return the prefix
     */
    public static TestKeyPrefix create(RedisServer server, String label) {
        String readable = label.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_-]+", "_");
        String random = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        return new TestKeyPrefix(server, "dw-test:" + readable + ":" + random + ":");
    }

    /** Return the prefix, ending with {@code ':'}. */
    public String prefix() {
        return this.prefix;
    }

    /**
     * Return {@code suffix} under this prefix.
     * @param suffix the rest of the key
     * @return the key
     */
    public String key(String suffix) {
        return this.prefix + suffix;
    }

    /** Return the server the keys live on. */
    public RedisServer server() {
        return this.server;
    }

    /**
     * Delete every key under the prefix.
     * @return how many keys were deleted
     */
    public long deleteKeys() {
        RedisClient client = RedisClient.create(RedisURI.create(this.server.host(), this.server.port()));
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            RedisCommands<String, String> redis = connection.sync();
            // The prefix has no glob characters, so "prefix*" matches exactly the keys under it.
            ScanArgs match = ScanArgs.Builder.matches(this.prefix + "*").limit(1_000);
            long deleted = 0;
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                KeyScanCursor<String> page = redis.scan(cursor, match);
                List<String> keys = page.getKeys();
                if (!keys.isEmpty()) {
                    deleted += redis.unlink(keys.toArray(String[]::new));
                }
                cursor = page;
            }
            while (!cursor.isFinished());
            return deleted;
        }
        finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    /** Delete every key under the prefix; the prefix may be used and closed again afterwards. */
    @Override
    public void close() {
        deleteKeys();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    @Override
    public String toString() {
        return "TestKeyPrefix[" + this.prefix + "]";
    }

}
