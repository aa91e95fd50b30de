package dev.dualwrite.core.verify;

/**
 * How the two stores differ on one key.
 */
public enum DifferenceKind {

    /** Redis holds the key, PostgreSQL has no row for it. */
    ONLY_IN_REDIS,

    /** PostgreSQL has a row, Redis does not hold the key. */
    ONLY_IN_POSTGRES,

    /** Both hold the key with different content; the report names the differing fields. */
    CONTENT,

    /** Redis holds a value under the key that does not decode to the entity. */
    UNREADABLE_IN_REDIS

}
