package dev.dualwrite.expiry.app;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.Table;

/**
 * A row of {@code expiry_sessions}; {@code expiresAt} is named as the expiry property in the
 * test's configuration. The mapping leaves it to the library: a session carries no expiry
 * instant of its own.
 */
@Table("expiry_sessions")
public record SessionRow(@Id String id, String owner, @Nullable Instant expiresAt) {

    public static SessionRow of(Session session) {
        return new SessionRow(session.id(), session.owner(), null);
    }

    public Session toSession() {
        return new Session(this.id, this.owner, null);
    }

}
