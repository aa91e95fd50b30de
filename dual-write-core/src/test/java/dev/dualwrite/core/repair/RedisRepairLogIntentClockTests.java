package dev.dualwrite.core.repair;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import dev.dualwrite.testsupport.TestKeyPrefix;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Write intents age by Redis's clock alone: a writer and a reconciler whose clocks disagree by
 * an hour neither promote a fresh intent nor keep an old one, and a promoted intent becomes a
 * record whose times are the intent's (Redis's) time, readable as an {@link Instant}.
 */
class RedisRepairLogIntentClockTests {

    private final TestKeyPrefix keys = TestKeyPrefix.create(RedisRepairLogIntentClockTests.class);

    // Unique per run: the intent and record keys live outside the key prefix.
    private final String repository = "repairlog_clock_" + Long.toString(System.nanoTime(), 36);

    private LettuceConnectionFactory connectionFactory;

    private StringRedisTemplate redis;

    @BeforeEach
    void connect() {
        this.connectionFactory = new LettuceConnectionFactory(
                new RedisStandaloneConfiguration(this.keys.server().host(), this.keys.server().port()));
        this.connectionFactory.afterPropertiesSet();
        this.redis = new StringRedisTemplate(this.connectionFactory);
    }

    @AfterEach
    void cleanUp() {
        try {
            this.redis.delete(RedisRepairKeys.DEFAULT.all(this.repository));
        }
        finally {
            this.connectionFactory.destroy();
            this.keys.close();
        }
    }

    @Test
    void anIntentOfAWriterWhoseClockIsAnHourBehindIsNeitherBacklogNorPromoted() {
        Clock behind = Clock.offset(Clock.systemUTC(), Duration.ofHours(-1));
        RedisRepairLog writer = new RedisRepairLog(this.redis, Duration.ofMinutes(1), Duration.ofSeconds(10),
                RedisRepairKeys.DEFAULT, behind);
        RedisRepairLog reconciler = new RedisRepairLog(this.redis, Duration.ofMinutes(1), Duration.ofSeconds(10),
                RedisRepairKeys.DEFAULT, Clock.systemUTC());

        String member = writer.openIntent(this.repository, "k1");

        long redisNow = redisMillis();
        Double score = this.redis.opsForZSet().score(RedisRepairKeys.DEFAULT.intents(this.repository), member);
        assertThat(score).as("the intent's score is Redis's time, not the writer's").isNotNull();
        assertThat(redisNow - score.longValue()).isBetween(0L, 5_000L);
        assertThat(reconciler.backlog(this.repository, Duration.ofSeconds(10))).isZero();
        assertThat(reconciler.pendingCount(this.repository)).isZero();
        assertThat(reconciler.recordInterruptedWrites(this.repository)).isZero();
        assertThat(reconciler.oldestRecordedAt(this.repository)).isEmpty();
    }

    @Test
    void anIntentOlderThanTheGraceByRedisTimeIsPromotedByAReconcilerWhoseClockIsAnHourBehind() {
        Clock behind = Clock.offset(Clock.systemUTC(), Duration.ofHours(-1));
        RedisRepairLog reconciler = new RedisRepairLog(this.redis, Duration.ofMinutes(1), Duration.ofSeconds(10),
                RedisRepairKeys.DEFAULT, behind);
        // An intent a killed writer left two minutes ago by Redis's clock; the odd millis check
        // that the record's times, formatted by the script, come back as the same Instant.
        long twoMinutesAgo = redisMillis() - 120_007;
        this.redis.opsForZSet()
            .add(RedisRepairKeys.DEFAULT.intents(this.repository), "dead.1|k1", twoMinutesAgo);
        this.redis.opsForZSet()
            .add(RedisRepairKeys.DEFAULT.intents(this.repository), "live.1|k2", redisMillis());

        assertThat(reconciler.backlog(this.repository, Duration.ofSeconds(10))).isEqualTo(1);
        assertThat(reconciler.oldestRecordedAt(this.repository)).contains(Instant.ofEpochMilli(twoMinutesAgo));
        assertThat(reconciler.recordInterruptedWrites(this.repository)).isEqualTo(1);

        assertThat(this.redis.opsForZSet().range(RedisRepairKeys.DEFAULT.intents(this.repository), 0, -1))
            .containsExactly("live.1|k2");
        assertThat(reconciler.pending(this.repository, 10)).singleElement().satisfies((record) -> {
            assertThat(record.key()).isEqualTo("k1");
            assertThat(record.firstRecordedAt()).isEqualTo(Instant.ofEpochMilli(twoMinutesAgo));
            assertThat(record.lastRecordedAt()).isEqualTo(Instant.ofEpochMilli(twoMinutesAgo));
            assertThat(record.attempts()).isEqualTo(1);
            assertThat(record.reason()).isEqualTo("write interrupted before PostgreSQL was written (intent from "
                    + Instant.ofEpochMilli(twoMinutesAgo) + ")");
        });
    }

    @Test
    void promotionRunsInBatchesUntilNoOldIntentIsLeft() {
        RedisRepairLog reconciler = new RedisRepairLog(this.redis, Duration.ofMinutes(1), Duration.ofSeconds(10),
                RedisRepairKeys.DEFAULT, Clock.systemUTC());
        long old = redisMillis() - 3_600_000;
        for (int i = 0; i < 1_234; i++) {
            this.redis.opsForZSet()
                .add(RedisRepairKeys.DEFAULT.intents(this.repository), "dead." + i + "|k" + i, old + i);
        }
        assertThat(reconciler.recordInterruptedWrites(this.repository)).isEqualTo(1_234);
        assertThat(this.redis.opsForZSet().size(RedisRepairKeys.DEFAULT.intents(this.repository))).isZero();
        assertThat(this.redis.opsForHash().size(RedisRepairKeys.DEFAULT.records(this.repository))).isEqualTo(1_234);
    }

    private long redisMillis() {
        Long millis = this.redis.execute((RedisCallback<Long>) (connection) -> connection.serverCommands().time());
        return (millis != null) ? millis : 0;
    }

}
