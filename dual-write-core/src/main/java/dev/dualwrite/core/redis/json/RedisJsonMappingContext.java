package dev.dualwrite.core.redis.json;

import org.springframework.data.core.TypeInformation;
import org.springframework.data.mapping.context.AbstractMappingContext;
import org.springframework.data.mapping.model.Property;
import org.springframework.data.mapping.model.SimpleTypeHolder;

/**
 * Spring Data mapping metadata for {@link RedisJson} entities: which property is the id, and
 * the property paths that sorting and derived queries read from decoded entities. One
 * instance is shared by all Redis JSON repositories of an application context; it is thread
 * safe and builds the metadata of each type on first use.
 */
public class RedisJsonMappingContext
        extends AbstractMappingContext<RedisJsonPersistentEntity<?>, RedisJsonPersistentProperty> {

    @Override
    protected <T> RedisJsonPersistentEntity<?> createPersistentEntity(TypeInformation<T> typeInformation) {
        return new RedisJsonPersistentEntity<>(typeInformation);
    }

    @Override
    protected RedisJsonPersistentProperty createPersistentProperty(Property property,
            RedisJsonPersistentEntity<?> owner, SimpleTypeHolder simpleTypeHolder) {
        return new RedisJsonPersistentProperty(property, owner, simpleTypeHolder);
    }

    // JDK types (BigDecimal, URI, UUID, ...) are values to Jackson, not nested documents;
    // introspecting their private fields would be pointless and trips the module system.
    @Override
    protected boolean shouldCreatePersistentEntityFor(TypeInformation<?> type) {
        String name = type.getType().getName();
        return super.shouldCreatePersistentEntityFor(type) && !name.startsWith("java.") && !name.startsWith("javax.")
                && !name.startsWith("jdk.");
    }

}
