package dev.dualwrite.core.verify;

/**
 * How much a verification compares.
 */
public enum VerifyMode {

    /** Every key of both stores, content field by field. */
    FULL,

    /**
     * A deterministic sample of keys (chosen by a hash of the key, so both stores sample the
     * same keys and a rerun checks the same ones), content field by field.
     */
    SAMPLED,

    /** Only the number of keys in each store; says nothing about content. */
    COUNTS_ONLY

}
