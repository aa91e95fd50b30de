package dev.dualwrite.core.repair;

import java.util.Map;

import dev.dualwrite.core.strategy.Store;

/**
 * The two repair logs, by the store whose copies their records repair. Each log lives in the
 * other store, the one that was written: the Redis log names keys whose PostgreSQL copy may
 * be behind (stage {@code DUAL}), the PostgreSQL log keys whose Redis copy may be behind
 * (stage {@code POSTGRES_PRIMARY}, the transactional outbox).
 */
public final class RepairLogs {

    private RepairLogs() {
    }

    /**
     * Key both logs by the store their records repair.
     * @param redisRepairLog the log kept in Redis
     * @param postgresRepairLog the log kept in PostgreSQL
     * @return {@code POSTGRES -> redisRepairLog, REDIS -> postgresRepairLog}
     */
    public static Map<Store, ClaimableRepairLog> byStoreToRepair(RedisRepairLog redisRepairLog,
            PostgresRepairLog postgresRepairLog) {
        return Map.of(Store.POSTGRES, redisRepairLog, Store.REDIS, postgresRepairLog);
    }

}
