package dev.dualwrite.autoconfigure;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.dualwrite.autoconfigure.properties.DualWriteProperties;
import dev.dualwrite.autoconfigure.properties.DualWriteRepairProperties;
import dev.dualwrite.autoconfigure.source.OldStoreSource;
import dev.dualwrite.core.repair.OldStoreRepairLog;

/**
 * The repair logs of the old-store sources: one per source, kept in the source's own store,
 * made when the source's first repository is paired.
 */
final class OldStoreSourceRepairLogs {

    // What a live write on a source may take. A source has no command time limit to read, as
    // Lettuce has its command timeout (JDBC has none): assumed as long as Lettuce's default, so
    // that by default a slow live write is not repaired as an interrupted one (a longer grace
    // only delays the repair of a real one). A configured grace is the operator's bound.
    static final Duration ASSUMED_STATEMENT_TIME = WriteGraces.LETTUCE_DEFAULT_TIMEOUT;

    private final Duration interruptedWriteGrace;

    private final Duration inFlightGrace;

    private final Map<OldStoreSource, OldStoreRepairLog> logs = new ConcurrentHashMap<>();

    OldStoreSourceRepairLogs(DualWriteProperties properties, DualWriteRepairProperties repairProperties) {
        Duration secondaryTimeout = properties.getSecondary().getTimeout();
        this.inFlightGrace = properties.getControl().getInFlightGrace();
        Duration configured = repairProperties.getInterruptedWriteGrace();
        this.interruptedWriteGrace = (configured != null) ? configured
                : secondaryTimeout.plus(ASSUMED_STATEMENT_TIME).plus(WriteGraces.MARGIN);
    }

    OldStoreRepairLog logOf(OldStoreSource source) {
        return this.logs.computeIfAbsent(source,
                (created) -> source.repairLog(this.interruptedWriteGrace, this.inFlightGrace));
    }

}
