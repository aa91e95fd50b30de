package dev.dualwrite.autoconfigure.source;

import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;

/**
 * The condition of the starter's features that scan old stores (backfill, inventory): the
 * Redis scanners' client, Lettuce, is on the classpath, or the application declares an
 * {@link OldStoreSource}, which brings scanners of its own. For the starter's own
 * auto-configurations.
 */
public final class OnRedisScannersOrOldStoreSource extends AnyNestedCondition {

    OnRedisScannersOrOldStoreSource() {
        super(ConfigurationPhase.REGISTER_BEAN);
    }

    @ConditionalOnClass(name = "io.lettuce.core.RedisClient")
    static final class Lettuce {

    }

    @ConditionalOnBean(OldStoreSource.class)
    static final class Jdbc {

    }

}
