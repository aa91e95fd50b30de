package dev.dualwrite.autoconfigure.verify;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.dualwrite.core.pair.DualRepository;
import dev.dualwrite.core.redis.json.RedisJsonStore;
import dev.dualwrite.core.redis.json.SimpleRedisJsonRepository;
import dev.dualwrite.core.redis.scan.JsonStringScanner;
import dev.dualwrite.core.redis.scan.RedisEntityScanner;
import dev.dualwrite.core.redis.scan.RedisHashScanner;
import dev.dualwrite.core.verify.RedisScanners;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.RedisKeyValueAdapter;

/**
 * The verifier's {@link dev.dualwrite.core.verify.OldStoreScanners} for Redis: builds (once
 * per repository) the scanner of a repository's Redis store from its shape: a JSON-string
 * repository's own store and codec, or, for {@code @RedisHash} repositories, the
 * application's {@link RedisKeyValueAdapter} converter.
 */
@SuppressWarnings("deprecation") // RedisScanners: beans and tests typed by it keep finding this one
public class DefaultRedisScanners implements RedisScanners {

    private final RedisConnectionFactory connectionFactory;

    private final ObjectProvider<RedisKeyValueAdapter> keyValueAdapter;

    private final Map<String, RedisEntityScanner<?, ?>> scanners = new ConcurrentHashMap<>();

    /**
     * @param connectionFactory the application's Redis connections (Lettuce)
     * @param keyValueAdapter the adapter of {@code @RedisHash} repositories, if any
     */
    public DefaultRedisScanners(RedisConnectionFactory connectionFactory,
            ObjectProvider<RedisKeyValueAdapter> keyValueAdapter) {
        this.connectionFactory = connectionFactory;
        this.keyValueAdapter = keyValueAdapter;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <R, ID> RedisEntityScanner<R, ID> scannerFor(DualRepository<R, ?, ID> repository) {
        return (RedisEntityScanner<R, ID>) this.scanners.computeIfAbsent(repository.name(),
                (name) -> create(repository));
    }

    private <R, ID> RedisEntityScanner<R, ID> create(DualRepository<R, ?, ID> repository) {
        if (repository.old().repository() instanceof SimpleRedisJsonRepository<R, ID> json) {
            RedisJsonStore<R, ID> store = json.getStore();
            // The store's own connection: a repository with its own redisConnectionFactoryRef keeps its
            // keys elsewhere than the application's default Redis.
            return new JsonStringScanner<>(store.getRedisTemplate().getRequiredConnectionFactory(),
                    store.getEntityInformation(), store.getCodec());
        }
        RedisKeyValueAdapter adapter = this.keyValueAdapter.getIfAvailable();
        if (adapter == null) {
            throw new IllegalStateException("dual-write verify: repository '" + repository.name()
                    + "' is neither a JSON-string repository nor backed by a RedisKeyValueAdapter; cannot scan it");
        }
        return new RedisHashScanner<>(this.connectionFactory, adapter.getConverter(), repository.old().entityType(),
                repository.old().idType());
    }

}
