package dev.dualwrite.core.redis.json;

import org.jspecify.annotations.Nullable;

import org.springframework.data.mapping.Association;
import org.springframework.data.mapping.PersistentEntity;
import org.springframework.data.mapping.model.AnnotationBasedPersistentProperty;
import org.springframework.data.mapping.model.Property;
import org.springframework.data.mapping.model.SimpleTypeHolder;

/**
 * A property of a {@link RedisJson} entity or of a type nested in it. The id property is the
 * one annotated with {@link org.springframework.data.annotation.Id @Id}; the JSON itself is
 * written by Jackson, so this metadata only serves ids, sorting and derived queries.
 */
public class RedisJsonPersistentProperty extends AnnotationBasedPersistentProperty<RedisJsonPersistentProperty> {

    /**
     * Create the property.
     * @param property the Java property
     * @param owner the entity that declares it
     * @param simpleTypeHolder the simple types of the mapping context
     */
    public RedisJsonPersistentProperty(Property property, PersistentEntity<?, RedisJsonPersistentProperty> owner,
            SimpleTypeHolder simpleTypeHolder) {
        super(property, owner, simpleTypeHolder);
    }

    // A JSON document embeds its nested objects; there are no references to other entities.
    @Override
    protected @Nullable Association<RedisJsonPersistentProperty> createAssociation() {
        return null;
    }

}
