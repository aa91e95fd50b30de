package dev.dualwrite.core.redis.scan;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.dualwrite.core.store.scan.SourcePosition;

import org.springframework.util.Assert;
import org.springframework.util.StringUtils;

/**
 * Where a scan stands: one {@code SCAN}/{@code SSCAN} cursor per Redis node (one node for a
 * single Redis, every master of a cluster), so that a scan can resume after the process
 * stops. Immutable; its {@link #toString() text form}, also its {@link #text()}, is what
 * checkpoints store.
 * <p>
 * A node missing from the position has not been scanned yet; a node marked done has been
 * scanned completely. Resuming from a position is safe whatever happened meanwhile: Redis
 * cursors are stateless, and a node that is no longer a master (after a failover its
 * replacement has another id) is simply scanned again from the start.
 */
public final class ScanPosition implements SourcePosition {

    private static final String DONE = "done";

    private static final ScanPosition INITIAL = new ScanPosition(Map.of());

    private final Map<String, String> cursors;

    private ScanPosition(Map<String, String> cursors) {
        this.cursors = Collections.unmodifiableMap(new LinkedHashMap<>(cursors));
    }

    /** Return the position before anything was scanned. */
    public static ScanPosition initial() {
        return INITIAL;
    }

    /**
     * Parse the text form written by {@link #toString()}.
     * @param text e.g. {@code "standalone=1234"} or {@code "a1b2...=done,c3d4...=88"}; empty
     * for the initial position
     * @return the position
     */
    public static ScanPosition parse(String text) {
        Assert.notNull(text, "text must not be null");
        if (!StringUtils.hasText(text)) {
            return INITIAL;
        }
        Map<String, String> cursors = new LinkedHashMap<>();
        for (String part : text.split(",")) {
            int equals = part.lastIndexOf('=');
            Assert.isTrue(equals > 0, () -> "Not a scan position: '" + text + "'");
            String cursor = part.substring(equals + 1);
            if (!DONE.equals(cursor)) {
                Long.parseUnsignedLong(cursor);
            }
            cursors.put(part.substring(0, equals), cursor);
        }
        return new ScanPosition(cursors);
    }

    /**
     * Return a position handed back through the store-neutral scanner interface as a scan
     * position: itself when it is one, else parsed from its {@link SourcePosition#text() text}.
     * @param position a position a Redis scanner returned, or one with its text form
     * @return the scan position
     * @throws IllegalArgumentException when the text is not a scan position
     */
    static ScanPosition from(SourcePosition position) {
        Assert.notNull(position, "position must not be null");
        return (position instanceof ScanPosition scanPosition) ? scanPosition : parse(position.text());
    }

    /**
     * Return the cursor to continue a node's scan with.
     * @param node the node id
     * @return the cursor, {@code "0"} when the node was not started (and when it is done:
     * check {@link #isDone(String)} first)
     */
    public String cursor(String node) {
        String cursor = this.cursors.get(node);
        return (cursor == null || DONE.equals(cursor)) ? "0" : cursor;
    }

    /**
     * Tell whether a node has been scanned completely.
     * @param node the node id
     * @return whether it is done
     */
    public boolean isDone(String node) {
        return DONE.equals(this.cursors.get(node));
    }

    /**
     * Tell whether every given node has been scanned completely.
     * @param nodes the ids of the nodes to scan
     * @return whether the scan is complete
     */
    public boolean isComplete(Collection<String> nodes) {
        return nodes.stream().allMatch(this::isDone);
    }

    /**
     * Return the position after one more step on a node.
     * @param node the node id
     * @param nextCursor the cursor Redis answered; {@code "0"} means the node is done
     * @return the new position
     */
    public ScanPosition advance(String node, String nextCursor) {
        Map<String, String> cursors = new LinkedHashMap<>(this.cursors);
        cursors.put(node, "0".equals(nextCursor) ? DONE : nextCursor);
        return new ScanPosition(cursors);
    }

    /**
     * Estimate which fraction of the given nodes' keys the scan has passed, without asking
     * Redis for sizes: Redis advances the cursor by reversed-binary increments over its hash
     * table, so the cursor's bits reversed, read as a fraction of 2^64, grow steadily from 0
     * to 1 whatever the table size. Nodes count equally.
     * @param nodes the ids of the nodes to scan
     * @return a value from 0 to 1
     */
    public double fraction(Collection<String> nodes) {
        if (nodes.isEmpty()) {
            return 1.0;
        }
        double sum = 0;
        for (String node : nodes) {
            String cursor = this.cursors.get(node);
            if (DONE.equals(cursor)) {
                sum += 1.0;
            }
            else if (cursor != null) {
                sum += cursorFraction(Long.parseUnsignedLong(cursor));
            }
        }
        return Math.min(1.0, sum / nodes.size());
    }

    static double cursorFraction(long cursor) {
        // Top 53 bits of the reversed cursor as a double in [0, 1).
        return (Long.reverse(cursor) >>> 11) * 0x1.0p-53;
    }

    /** Return the cursors by node id (a node marked done has the value {@code "done"}). */
    public Map<String, String> cursors() {
        return this.cursors;
    }

    @Override
    public boolean equals(Object other) {
        return (other instanceof ScanPosition position) && position.cursors.equals(this.cursors);
    }

    @Override
    public int hashCode() {
        return this.cursors.hashCode();
    }

    /**
     * Return the text form, the same as {@link #toString()}: what checkpoints store.
     * @return e.g. {@code "standalone=1234"}; empty for the initial position
     */
    @Override
    public String text() {
        return toString();
    }

    /** Return the text form, e.g. {@code "standalone=1234"}; empty for the initial position. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        this.cursors.forEach((node, cursor) -> {
            if (!text.isEmpty()) {
                text.append(',');
            }
            text.append(node).append('=').append(cursor);
        });
        return text.toString();
    }

}
