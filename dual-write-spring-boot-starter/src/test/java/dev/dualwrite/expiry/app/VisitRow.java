package dev.dualwrite.expiry.app;

import java.time.OffsetDateTime;

import dev.dualwrite.core.expiry.ExpiresAt;
import org.jspecify.annotations.Nullable;

import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.Table;

/**
 * A row of {@code expiry_visits}, whose expiry property is marked with {@link ExpiresAt}.
 */
@Table("expiry_visits")
public record VisitRow(@Id String id, String page, @ExpiresAt @Nullable OffsetDateTime expiresAt) {

    public static VisitRow of(Visit visit) {
        return new VisitRow(visit.id(), visit.page(), null);
    }

    public Visit toVisit() {
        return new Visit(this.id, this.page, null);
    }

}
