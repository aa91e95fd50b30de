package dev.dualwrite.core.secondary;

/**
 * What a failed secondary-store write does to the caller. Either way the key is recorded
 * for repair first.
 */
public enum FailurePolicy {

    /** The caller succeeds: the primary holds the write and the repair record the debt. */
    LENIENT,

    /** The caller gets a {@link SecondaryWriteException} after the primary write succeeded. */
    STRICT

}
