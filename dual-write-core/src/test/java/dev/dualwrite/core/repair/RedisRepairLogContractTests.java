package dev.dualwrite.core.repair;

import java.time.Duration;
import java.util.Set;

import dev.dualwrite.testsupport.TestServers;
import dev.dualwrite.testsupport.contract.AbstractOldStoreRepairLogContractTests;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.ZSetOperations.TypedTuple;

/**
 * {@link RedisRepairLog} keeps the old store's repair-log protocol. Its keys are named by the
 * repository, outside any key prefix: each test's repository is unique and its keys are
 * deleted after it.
 */
class RedisRepairLogContractTests extends AbstractOldStoreRepairLogContractTests {

    private static LettuceConnectionFactory connectionFactory;

    private static StringRedisTemplate redis;

    @BeforeAll
    static void connect() {
        connectionFactory = new LettuceConnectionFactory(
                new RedisStandaloneConfiguration(TestServers.redis().host(), TestServers.redis().port()));
        connectionFactory.afterPropertiesSet();
        redis = new StringRedisTemplate(connectionFactory);
    }

    @AfterAll
    static void disconnect() {
        connectionFactory.destroy();
    }

    @Override
    protected OldStoreRepairLog createLog(Duration interruptedWriteGrace, Duration inFlightGrace) {
        return new RedisRepairLog(redis, interruptedWriteGrace, inFlightGrace);
    }

    @Override
    protected void ageIntents(String repository, Duration age) {
        String key = RedisRepairKeys.DEFAULT.intents(repository);
        Set<TypedTuple<String>> intents = redis.opsForZSet().rangeWithScores(key, 0, -1);
        for (TypedTuple<String> intent : (intents != null) ? intents : Set.<TypedTuple<String>>of()) {
            redis.opsForZSet().incrementScore(key, intent.getValue(), -age.toMillis());
        }
    }

    @Override
    protected void deleteRepository(String repository) {
        redis.delete(RedisRepairKeys.DEFAULT.all(repository));
    }

}
