package dev.dualwrite.core.redis.json;

import java.util.Map;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.dao.InvalidDataAccessApiUsageException;
import org.springframework.data.mapping.PersistentPropertyAccessor;
import org.springframework.data.mapping.model.EntityInstantiators;
import org.springframework.data.mapping.model.InstantiationAwarePropertyAccessor;
import org.springframework.util.Assert;

/**
 * Converts one entity type to and from the JSON stored under its keys, with the
 * application's {@link JsonMapper} and nothing else, so that the stored JSON is exactly what
 * that mapper writes.
 * <p>
 * Reading also ties the value to its key: a value without an id gets the id of its key, and
 * a value whose id contradicts its key is refused (saving it would write a second key).
 * Every failure to read is a {@link RedisJsonReadException} that names the key and never
 * quotes the value.
 * @param <T> the entity type
 * @param <ID> the id type
 */
public class RedisJsonCodec<T, ID> {

    private final JsonMapper jsonMapper;

    private final RedisJsonEntityInformation<T, ID> information;

    private final RedisJsonPersistentEntity<T> entity;

    private final EntityInstantiators instantiators = new EntityInstantiators();

    // The mapper's reader of the entity type: resolves the type and its deserializer once,
    // where the mapper's readValue looks both up for every value.
    private final ObjectReader reader;

    /**
     * Create the codec of one entity type.
     * @param jsonMapper the application's JSON mapper
     * @param information ids and keys of the entity type
     * @param entity mapping metadata of the entity type
     */
    public RedisJsonCodec(JsonMapper jsonMapper, RedisJsonEntityInformation<T, ID> information,
            RedisJsonPersistentEntity<T> entity) {
        Assert.notNull(jsonMapper, "jsonMapper must not be null");
        Assert.notNull(information, "information must not be null");
        Assert.notNull(entity, "entity must not be null");
        this.jsonMapper = jsonMapper;
        this.information = information;
        this.entity = entity;
        this.reader = jsonMapper.readerFor(information.getJavaType());
    }

    /**
     * Write an entity as JSON.
     * @param value the entity
     * @return the JSON, as the application's mapper writes it
     */
    public String write(T value) {
        Assert.notNull(value, "value must not be null");
        try {
            return this.jsonMapper.writeValueAsString(value);
        }
        catch (JacksonException ex) {
            // The entity comes from the caller, so this is a usage problem, not a read failure.
            throw new InvalidDataAccessApiUsageException("Cannot write a " + type().getName() + " as JSON with the "
                    + "application's JsonMapper: " + ex.getOriginalMessage(), ex);
        }
    }

    /**
     * Read the value of a key.
     * @param key the Redis key, used for the id and in error messages
     * @param json the value
     * @return the entity, with the key's id
     * @throws RedisJsonReadException when the value cannot be read as the entity
     */
    public T read(String key, String json) {
        Assert.notNull(key, "key must not be null");
        Assert.notNull(json, "json must not be null");
        return read(key, () -> this.reader.readValue(json));
    }

    /**
     * Read the value of a key from its bytes as Redis returned them (UTF-8), which Jackson
     * parses faster than text.
     * @param key the Redis key, used for the id and in error messages
     * @param json the value
     * @return the entity, with the key's id
     * @throws RedisJsonReadException when the value cannot be read as the entity
     */
    public T read(String key, byte[] json) {
        Assert.notNull(key, "key must not be null");
        Assert.notNull(json, "json must not be null");
        return read(key, () -> this.reader.readValue(json));
    }

    private T read(String key, Supplier<@Nullable T> parse) {
        @Nullable T value;
        try {
            value = parse.get();
        }
        catch (JacksonException ex) {
            throw new RedisJsonReadException(key, type(), describe(ex));
        }
        if (value == null) {
            throw new RedisJsonReadException(key, type(), "the value is the JSON literal null");
        }
        return withIdOfKey(key, value);
    }

    private T withIdOfKey(String key, T value) {
        ID keyId;
        try {
            keyId = this.information.getIdFromKey(key);
        }
        catch (RuntimeException ex) {
            throw new RedisJsonReadException(key, type(), "the part of the key after the prefix cannot be converted to "
                    + "the id type " + this.information.getIdType().getName());
        }
        ID valueId = this.information.getId(value);
        if (valueId == null) {
            // The id lives in the key; services often leave it out of the JSON.
            try {
                PersistentPropertyAccessor<T> accessor = new InstantiationAwarePropertyAccessor<>(value,
                        this.entity::getPropertyAccessor, this.instantiators);
                accessor.setProperty(this.entity.getRequiredIdProperty(), keyId);
                return accessor.getBean();
            }
            catch (RuntimeException ex) {
                throw new RedisJsonReadException(key, type(), "the value has no id, and the id of the key cannot be "
                        + "set on it (" + ex.getClass().getSimpleName() + ")");
            }
        }
        if (!valueId.equals(keyId)) {
            throw new RedisJsonReadException(key, type(), "the id in the value (" + valueId
                    + ") differs from the id in the key; saving it would write another key");
        }
        return value;
    }

    RedisJsonPersistentEntity<T> entity() {
        return this.entity;
    }

    private Class<T> type() {
        return this.information.getJavaType();
    }

    // Jackson's own messages quote the JSON around the problem, so only the kind of problem,
    // its location and the path of property names are kept.
    private String describe(JacksonException ex) {
        if (ex instanceof UnrecognizedPropertyException unknown) {
            Class<?> owner = unknown.getReferringClass();
            return "the JSON has a property '" + unknown.getPropertyName() + "' that "
                    + ((owner != null) ? owner.getSimpleName() : "the entity") + " does not declare" + at(ex);
        }
        if (ex instanceof MismatchedInputException mismatch) {
            Class<?> target = mismatch.getTargetType();
            return "a JSON value does not fit " + ((target != null) ? "type " + target.getName() : "the entity")
                    + at(ex) + " (" + ex.getClass().getSimpleName() + ")";
        }
        if (ex instanceof DatabindException) {
            return "the JSON does not map to the entity" + at(ex) + " (" + ex.getClass().getSimpleName() + ")";
        }
        if (ex instanceof StreamReadException) {
            return "the value is not valid JSON" + location(ex.getLocation());
        }
        return "Jackson could not read it (" + ex.getClass().getSimpleName() + location(ex.getLocation()) + ")";
    }

    private static String at(JacksonException ex) {
        if (ex.getPath().isEmpty()) {
            return " at the top level";
        }
        StringBuilder path = new StringBuilder(" at $");
        for (JacksonException.Reference reference : ex.getPath()) {
            if (reference.getPropertyName() != null) {
                // Map keys are data, not names of properties, so they are not shown.
                path.append((reference.from() instanceof Map) ? ".<map key>" : "." + reference.getPropertyName());
            }
            else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static String location(@Nullable TokenStreamLocation location) {
        if (location == null || location.getLineNr() < 0) {
            return "";
        }
        return " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }

}
