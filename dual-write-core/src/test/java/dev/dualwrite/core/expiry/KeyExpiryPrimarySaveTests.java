package dev.dualwrite.core.expiry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import org.springframework.data.annotation.Id;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.relational.core.mapping.RelationalMappingContext;
import org.springframework.data.relational.core.mapping.Table;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The expiry a save with PostgreSQL as primary gives the row ({@link KeyExpiry#forPrimarySave}):
 * a positive time to live on the saved entity wins over an expiry the row carries (the way a
 * caller extends a key, as a save to Redis does), a row's own expiry wins otherwise, and a
 * Redis shape that keeps the key's expiry on save keeps the current row's. No store is
 * touched: the rule is decided before the row is written.
 */
class KeyExpiryPrimarySaveTests {

    private static final Instant NOW = Instant.parse("2026-12-03T08:00:00Z");

    @Table("passes")
    record PassRow(@Id String id, @ExpiresAt @Nullable Instant expiresAt) {
    }

    /** The Redis entity: its time to live, {@code null} when the save keeps the key's expiry. */
    record Pass(String id, @Nullable Long ttlMillis) {
    }

    private final KeyExpiry<Pass, PassRow, String> expiry = KeyExpiry.of(
            ExpiryColumn.find(new RelationalMappingContext(), PassRow.class, null), new PassKeys(), new JdbcTemplate(),
            Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofSeconds(1));

    @Test
    void aTimeToLiveOnTheSavedEntityWinsOverTheExpiryTheRowCarriesFromAnEarlierRead() {
        PassRow read = new PassRow("p1", NOW.plusSeconds(60));

        PassRow saved = this.expiry.forPrimarySave(new Pass("p1", Duration.ofHours(1).toMillis()), read,
                Optional::empty);

        assertThat(saved.expiresAt()).isEqualTo(NOW.plus(Duration.ofHours(1)));
    }

    @Test
    void withoutTimeToLiveTheRowKeepsTheExpiryItCarries() {
        PassRow read = new PassRow("p1", NOW.plusSeconds(60));

        assertThat(this.expiry.forPrimarySave(new Pass("p1", null), read, Optional::empty).expiresAt())
            .isEqualTo(NOW.plusSeconds(60));
        // Zero (a save that makes the key persistent in Redis) does not override the row's own.
        assertThat(this.expiry.forPrimarySave(new Pass("p1", 0L), read, Optional::empty).expiresAt())
            .isEqualTo(NOW.plusSeconds(60));
    }

    @Test
    void aRowWithoutExpiryKeepsTheCurrentRowsExpiryWhereTheSaveKeepsTheKeys() {
        PassRow current = new PassRow("p1", NOW.plusSeconds(30));

        assertThat(this.expiry.forPrimarySave(new Pass("p1", null), new PassRow("p1", null), () -> Optional.of(current))
            .expiresAt()).isEqualTo(NOW.plusSeconds(30));
        assertThat(this.expiry.forPrimarySave(new Pass("p1", 0L), new PassRow("p1", null), () -> Optional.of(current))
            .expiresAt()).isNull();
    }

    /** The keys of a JSON-like shape: a save keeps the key's expiry unless the entity sets one. */
    private static final class PassKeys implements RedisKeyTtl<Pass, String> {

        @Override
        public String keyOf(String id) {
            return "pass:" + id;
        }

        @Override
        public Optional<Duration> expiryOnSave(Pass entity) {
            Long ttl = entity.ttlMillis();
            if (ttl == null) {
                return Optional.empty();
            }
            return Optional.of((ttl > 0) ? Duration.ofMillis(ttl) : Duration.ZERO);
        }

        @Override
        public <T> @Nullable T execute(RedisCallback<T> action) {
            throw new UnsupportedOperationException("no Redis in this test");
        }

    }

}
