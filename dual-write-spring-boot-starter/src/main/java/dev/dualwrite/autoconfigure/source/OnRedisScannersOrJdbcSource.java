package dev.dualwrite.autoconfigure.source;

import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;

/**
 * The condition of the starter's features that scan old stores (backfill, inventory): the
 * Redis scanners' client, Lettuce, is on the classpath, or the application declares a
 * {@link JdbcSource}, whose tables are scanned through JDBC. For the starter's own
 * auto-configurations.
 */
public final class OnRedisScannersOrJdbcSource extends AnyNestedCondition {

    OnRedisScannersOrJdbcSource() {
        super(ConfigurationPhase.REGISTER_BEAN);
    }

    @ConditionalOnClass(name = "io.lettuce.core.RedisClient")
    static final class Lettuce {

    }

    @ConditionalOnBean(JdbcSource.class)
    static final class Jdbc {

    }

}
