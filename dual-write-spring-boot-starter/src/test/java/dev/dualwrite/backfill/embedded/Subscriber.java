package dev.dualwrite.backfill.embedded;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;

import org.jspecify.annotations.Nullable;

import org.springframework.data.annotation.Id;
import org.springframework.data.redis.core.RedisHash;
import org.springframework.data.relational.core.mapping.Column;
import org.springframework.data.relational.core.mapping.Embedded;
import org.springframework.data.relational.core.mapping.Table;

/**
 * A {@code @RedisHash} entity and rows of {@code backfill_subscribers}, with each kind of
 * embedded property Spring Data JDBC maps: {@code @Embedded.Nullable} and
 * {@code @Embedded.Empty} with a prefix (and a renamed column inside), and one without a
 * prefix that embeds another under a prefix of its own.
 */
@RedisHash(Subscriber.KEYSPACE)
@Table("backfill_subscribers")
public record Subscriber(@Id String id, String name, @Embedded.Nullable(prefix = "home_") @Nullable Address home,
        @Embedded.Empty(prefix = "work_") @Nullable Address work, @Embedded.Nullable @Nullable Plan plan,
        Instant since) {

    public static final String KEYSPACE = "dwtest:backfill:subscribers";

    /** Spring Data JDBC reads an {@code @Embedded.Empty} object whose columns are all NULL as an empty one. */
    public Subscriber asReadFromPostgres() {
        return new Subscriber(this.id, this.name, this.home, (this.work != null) ? this.work : new Address(null, null,
                null), this.plan, this.since);
    }

    public record Address(@Nullable String street, @Nullable String city, @Column("postcode") @Nullable String zip) {
    }

    public record Plan(Tier tier, @Embedded.Nullable(prefix = "price_") @Nullable Money price,
            @Nullable LocalDate renews) {
    }

    public record Money(BigDecimal amount, String currency) {
    }

    public enum Tier {

        FREE, PRO, TEAM

    }

}
