package dev.dualwrite.contract;

import java.util.List;

import dev.dualwrite.core.repair.RedisRepairLog;
import dev.dualwrite.testsupport.TcpProxy;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.connection.RedisConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The strategy contract with Redis as the old store: reached through the Redis proxy of
 * {@link #stores()}, its repair log the application's {@link RedisRepairLog}. A subclass
 * supplies one Redis shape: its entity, repository and raw Redis access.
 * @param <T> the entity type of the shape
 */
public abstract class AbstractRedisStrategyContractTests<T> extends AbstractStrategyContractTests<T> {

    @Autowired
    private RedisRepairLog redisRepairLog;

    @Autowired
    private RedisConnectionFactory redisConnectionFactory;

    @Override
    protected TcpProxy oldStoreProxy() {
        return stores().redisProxy();
    }

    @Override
    protected long openIntentsInOld() {
        return this.redisRepairLog.openIntents(repositoryName());
    }

    @Override
    protected void assertOldStoreAnswers() {
        try (var connection = this.redisConnectionFactory.getConnection()) {
            assertThat(connection.ping()).isEqualTo("PONG");
        }
    }

    @Override
    protected void clearOldStore() {
        stores().clearRedis(List.of(repositoryName()));
    }

}
