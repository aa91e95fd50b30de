package dev.dualwrite.core.store.scan;

/**
 * Where a scan of the old store stands, opaque to everyone but the {@link OldStoreScanner}
 * that made it. Implementations are immutable. Its {@link #text() text form} is what a
 * checkpoint stores, so that a scan can resume after the process stops: the scanner's
 * {@link OldStoreScanner#parsePosition} turns the text back into an equal position.
 */
public interface SourcePosition {

    /**
     * Return the text form that a checkpoint stores. An implementation keeps its text format
     * from one version to the next, so that checkpoints written before an upgrade resume after
     * it.
     * @return the text form
     */
    String text();

}
