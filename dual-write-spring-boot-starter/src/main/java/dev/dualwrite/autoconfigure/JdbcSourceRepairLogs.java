package dev.dualwrite.autoconfigure;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.dualwrite.autoconfigure.properties.DualWriteProperties;
import dev.dualwrite.autoconfigure.properties.DualWriteRepairProperties;
import dev.dualwrite.autoconfigure.source.JdbcSource;
import dev.dualwrite.core.repair.JdbcRepairLog;

/**
 * The repair logs of the JDBC sources: one per source, in the source's own database, its
 * tables created when it is first needed.
 */
final class JdbcSourceRepairLogs {

    // What a live write on the old database may take. JDBC has no statement time limit to
    // read, as Lettuce has its command timeout: assumed as long as Lettuce's default, so that
    // by default a slow live write is not repaired as an interrupted one (a longer grace only
    // delays the repair of a real one). A configured grace is the operator's bound.
    static final Duration ASSUMED_STATEMENT_TIME = WriteGraces.LETTUCE_DEFAULT_TIMEOUT;

    private final Duration interruptedWriteGrace;

    private final Duration inFlightGrace;

    private final Map<JdbcSource, JdbcRepairLog> logs = new ConcurrentHashMap<>();

    JdbcSourceRepairLogs(DualWriteProperties properties, DualWriteRepairProperties repairProperties) {
        Duration secondaryTimeout = properties.getSecondary().getTimeout();
        this.inFlightGrace = properties.getControl().getInFlightGrace();
        Duration configured = repairProperties.getInterruptedWriteGrace();
        this.interruptedWriteGrace = (configured != null) ? configured
                : secondaryTimeout.plus(ASSUMED_STATEMENT_TIME).plus(WriteGraces.MARGIN);
    }

    JdbcRepairLog logOf(JdbcSource source) {
        return this.logs.computeIfAbsent(source, (created) -> {
            JdbcRepairLog log = new JdbcRepairLog(source.dataSource(), this.interruptedWriteGrace, this.inFlightGrace);
            log.createTables();
            return log;
        });
    }

}
