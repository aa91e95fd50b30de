package dev.dualwrite.sample.client;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

import org.jspecify.annotations.Nullable;

import org.springframework.data.annotation.Id;
import org.springframework.data.annotation.PersistenceCreator;
import org.springframework.data.annotation.Transient;
import org.springframework.data.domain.Persistable;
import org.springframework.data.relational.core.mapping.Table;

/**
 * An API client of the token service, the same type in both stores: a row of
 * {@code clients} in the SQLite file and in PostgreSQL.
 * <p>
 * Ids are chosen by the caller, so the client says itself whether it is new (Spring Data JDBC
 * would otherwise update a row that does not exist). Times are kept to the millisecond: the
 * SQLite driver stores a time as epoch milliseconds, and a finer one would read back
 * different from PostgreSQL's copy.
 */
@Table("clients")
public final class Client implements Persistable<String> {

    @Id
    private final String id;

    private final String name;

    private final @Nullable String contactEmail;

    private final Instant registeredAt;

    @Transient
    private final boolean fresh;

    @PersistenceCreator
    Client(String id, String name, @Nullable String contactEmail, Instant registeredAt) {
        this(id, name, contactEmail, registeredAt, false);
    }

    private Client(String id, String name, @Nullable String contactEmail, Instant registeredAt, boolean fresh) {
        this.id = id;
        this.name = name;
        this.contactEmail = contactEmail;
        this.registeredAt = registeredAt.truncatedTo(ChronoUnit.MILLIS);
        this.fresh = fresh;
    }

    /**
     * A client registered now, not stored yet.
     * @param id the client id
     * @param name its display name
     * @param contactEmail whom to tell about it, if anyone
     * @param registeredAt when it was registered
     * @return the new client
     */
    public static Client register(String id, String name, @Nullable String contactEmail, Instant registeredAt) {
        return new Client(id, name, contactEmail, registeredAt, true);
    }

    /**
     * This client with another name and contact, as stored before.
     * @param name the new name
     * @param contactEmail the new contact
     * @return the changed client
     */
    public Client changed(String name, @Nullable String contactEmail) {
        return new Client(this.id, name, contactEmail, this.registeredAt, false);
    }

    @Override
    public String getId() {
        return this.id;
    }

    public String getName() {
        return this.name;
    }

    public @Nullable String getContactEmail() {
        return this.contactEmail;
    }

    public Instant getRegisteredAt() {
        return this.registeredAt;
    }

    @Override
    public boolean isNew() {
        return this.fresh;
    }

}
