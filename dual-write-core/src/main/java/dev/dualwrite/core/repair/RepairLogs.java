package dev.dualwrite.core.repair;

import java.util.Map;

import dev.dualwrite.core.strategy.Store;

/**
 * The two repair logs, by the store whose copies their records repair. Each log lives in the
 * other store, the one that was written: the old store's log (Redis's, or another old
 * store's) names keys whose PostgreSQL copy may be behind (stage {@code DUAL}), the PostgreSQL
 * log keys whose old-store copy may be behind (stage {@code POSTGRES_PRIMARY}, the
 * transactional outbox).
 */
public final class RepairLogs {

    private RepairLogs() {
    }

    /**
     * Key both logs by the store their records repair.
     * @param oldStoreRepairLog the log kept in the old store
     * @param postgresRepairLog the log kept in PostgreSQL
     * @return {@code POSTGRES -> oldStoreRepairLog, REDIS -> postgresRepairLog}
     */
    public static Map<Store, ClaimableRepairLog> byStoreToRepair(OldStoreRepairLog oldStoreRepairLog,
            PostgresRepairLog postgresRepairLog) {
        return Map.of(Store.POSTGRES, oldStoreRepairLog, Store.REDIS, postgresRepairLog);
    }

}
