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

    /** dual-write's own keys of the repository: repair records, write intents, the expiry sweep's lock. */
    DUAL_WRITE

}
