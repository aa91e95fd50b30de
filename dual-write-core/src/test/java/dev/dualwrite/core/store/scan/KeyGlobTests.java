package dev.dualwrite.core.store.scan;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import dev.dualwrite.testsupport.TestKeyPrefix;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link KeyGlob} selects exactly the ids Redis's own {@code SCAN MATCH} selects, for a table
 * of patterns with sets, ranges in either order, escapes, empty and unclosed sets: the keys
 * are written under this class's prefix and Redis is asked.
 */
class KeyGlobTests {

    @RegisterExtension
    static final TestKeyPrefix keys = TestKeyPrefix.create(KeyGlobTests.class);

    private static final List<String> IDS = List.of("a", "b", "c", "z", "A", "ab", "abc", "abd", "a-b", "a]", "[x",
            "x", "\\", "a\\", "*", "?", "-", "^", "]", "g1", "g11", "g2", "g12", "token:007", "token:7", "aXb", "b-a");

    private static final List<String> PATTERNS = List.of("*", "a*", "?", "??", "[a-c]", "[z-a]", "[c-a]*", "[^a]",
            "[^]", "[]", "[]a]", "[^a-c]", "\\*", "\\?", "a\\-b", "[a\\]]", "a[]]", "[abc", "[^", "a[", "[a-]",
            "[-a]", "g1*", "g[12]", "g[12]*", "*1", "token:0*", "\\", "a\\", "a\\\\", "**b*", "*b*b", "[\\\\]",
            "[a-c][b-d]*", "a?b", "*?", "[\\-]", "[\\^]", "\\[x", "[[]x", "[a-c", "b-[a-c]");

    @Test
    void matchesWhatRedisScanMatchMatchesForEveryPatternOfTheTable() {
        RedisClient client = RedisClient.create(RedisURI.create(keys.server().host(), keys.server().port()));
        Map<String, Set<String>> byRedis = new TreeMap<>();
        Map<String, Set<String>> byGlob = new TreeMap<>();
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            RedisCommands<String, String> redis = connection.sync();
            for (String id : IDS) {
                redis.set(keys.key(id), "1");
            }
            for (String pattern : PATTERNS) {
                byRedis.put(pattern, scan(redis, pattern));
                KeyGlob glob = new KeyGlob(pattern);
                Set<String> matched = new TreeSet<>();
                IDS.stream().filter(glob::matches).forEach(matched::add);
                byGlob.put(pattern, matched);
            }
        }
        finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
        List<String> nonEmpty = new ArrayList<>();
        byRedis.forEach((pattern, ids) -> {
            if (!ids.isEmpty() && ids.size() < IDS.size()) {
                nonEmpty.add(pattern);
            }
        });
        assertThat(nonEmpty).as("patterns that select some ids but not all: the table tells something").hasSizeGreaterThan(30);
        assertThat(byGlob).isEqualTo(byRedis);
    }

    // The prefix has no glob characters, so the pattern after it is matched against the id alone.
    private static Set<String> scan(RedisCommands<String, String> redis, String pattern) {
        Set<String> ids = new TreeSet<>();
        ScanArgs match = ScanArgs.Builder.matches(keys.prefix() + pattern).limit(1_000);
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            KeyScanCursor<String> page = redis.scan(cursor, match);
            page.getKeys().forEach((key) -> ids.add(key.substring(keys.prefix().length())));
            cursor = page;
        }
        while (!cursor.isFinished());
        return ids;
    }

}
