package dev.dualwrite.core.inventory;

/**
 * What the keys of one pattern are to their repository. Only {@link #ENTITIES} are rows to
 * copy; the others are kept by Spring Data Redis or by dual-write beside them and are reported
 * so that their memory and count are not mistaken for data, nor for keys of no repository.
 */
public enum KeyRole {

    /** One key per entity: a JSON string, or a {@code @RedisHash} entity's hash. */
    ENTITIES,

    /** The {@code @RedisHash} keyspace set, holding every id ({@code <keyspace>}). */
    KEYSPACE_SET,

    /** Secondary-index sets of {@code @Indexed} properties ({@code <keyspace>:<property>:<value>}). */
    INDEXES,

    /** Geo indexes of {@code @GeoIndexed} properties ({@code <keyspace>:<property>}). */
    GEO_INDEXES,

    /** Per-entity sets naming the index sets an entity is in ({@code <keyspace>:<id>:idx}). */
    ENTITY_INDEX_SETS,

    /** Phantom copies of expiring entities, kept for expiry events ({@code <keyspace>:<id>:phantom}). */
    PHANTOMS,

    /**
     * dual-write's own keys of the repository: repair records and their claims, write intents.
     * (The expiry sweep's lock is a PostgreSQL advisory lock, no Redis key.)
     */
    DUAL_WRITE,

    /**
     * Keys under a {@code @RedisHash} keyspace that are no hash and none of Spring Data's own
     * keys: not entities, so not copied by the backfill (which reads the ids of the keyspace set).
     */
    OTHER

}
