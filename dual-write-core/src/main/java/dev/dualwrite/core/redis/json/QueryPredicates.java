package dev.dualwrite.core.redis.json;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntPredicate;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

import org.springframework.core.convert.ConversionService;
import org.springframework.dao.InvalidDataAccessApiUsageException;
import org.springframework.data.core.PropertyPath;
import org.springframework.data.repository.query.parser.Part;
import org.springframework.data.repository.query.parser.PartTree;
import org.springframework.util.Assert;
import org.springframework.util.ClassUtils;
import org.springframework.util.ObjectUtils;

/**
 * Builds in-memory filters of decoded entities from the parts of a derived query method
 * name.
 * <p>
 * Semantics follow SQL, so that results agree with PostgreSQL once reads move there: a
 * {@code null} property value matches only {@code IsNull} (and {@code IsEmpty}, for a
 * collection), never a comparison or a negation; {@code Like} takes SQL patterns ({@code %},
 * {@code _}, {@code \} escapes); {@code Between} is inclusive; an equality with a
 * {@code null} argument means {@code IsNull}. Arguments are converted to the property's type
 * with the {@link ConversionService}.
 * @param <T> the entity type
 */
final class QueryPredicates<T> {

    private final EntityProperties<T> properties;

    private final ConversionService conversionService;

    QueryPredicates(EntityProperties<T> properties, ConversionService conversionService) {
        Assert.notNull(properties, "properties must not be null");
        Assert.notNull(conversionService, "conversionService must not be null");
        this.properties = properties;
        this.conversionService = conversionService;
    }

    /**
     * Return why a part of a method name cannot be evaluated, or {@code null} when it can.
     * @param part the part
     * @return the problem, for a startup error message
     */
    static @Nullable String problem(Part part) {
        PropertyPath path = part.getProperty();
        String name = "'" + path.toDotPath() + "'";
        String unreadable = EntityProperties.unreadable(path);
        if (unreadable != null) {
            return "property " + name + " cannot be filtered on: " + unreadable;
        }
        PropertyPath leaf = path.getLeafProperty();
        boolean many = leaf.isCollection() || leaf.getTypeInformation().isMap();
        boolean string = ClassUtils.resolvePrimitiveIfNecessary(leaf.getType()) == String.class;
        String keyword = keyword(part.getType());
        if (part.shouldIgnoreCase() == Part.IgnoreCaseType.ALWAYS && !string) {
            return "IgnoreCase needs a String property, but " + name + " is a " + leaf.getType().getName();
        }
        return switch (part.getType()) {
            case IS_NULL, IS_NOT_NULL -> null;
            case IS_EMPTY, IS_NOT_EMPTY -> many ? null : keyword + " needs a collection or map property, but " + name
                    + " is a " + leaf.getType().getName();
            case CONTAINING, NOT_CONTAINING -> (many && !leaf.getTypeInformation().isMap()) || string ? null
                    : keyword + " needs a String or collection property, but " + name + " is a "
                            + leaf.getType().getName();
            case SIMPLE_PROPERTY, NEGATING_SIMPLE_PROPERTY, IN, NOT_IN, TRUE, FALSE, LIKE, NOT_LIKE, STARTING_WITH,
                    ENDING_WITH, REGEX, GREATER_THAN, GREATER_THAN_EQUAL, LESS_THAN, LESS_THAN_EQUAL, BEFORE, AFTER,
                    BETWEEN ->
                many ? "property " + name + " is a collection or map; only IsNull, IsNotNull, IsEmpty, IsNotEmpty, "
                        + "Containing and NotContaining apply to it" : typeProblem(part.getType(), leaf, name, keyword);
            default -> "keyword " + keyword + " is not supported; supported are: Is/Equals, Not, In, NotIn, IsNull, "
                    + "IsNotNull, True, False, Like, NotLike, StartingWith, EndingWith, Containing, NotContaining, "
                    + "Regex, GreaterThan(Equal), LessThan(Equal), Before, After, Between, IsEmpty, IsNotEmpty, "
                    + "each with IgnoreCase where the property is a String";
        };
    }

    private static @Nullable String typeProblem(Part.Type type, PropertyPath leaf, String name, String keyword) {
        Class<?> propertyType = ClassUtils.resolvePrimitiveIfNecessary(leaf.getType());
        return switch (type) {
            case TRUE, FALSE -> (propertyType == Boolean.class) ? null
                    : keyword + " needs a boolean property, but " + name + " is a " + leaf.getType().getName();
            case LIKE, NOT_LIKE, STARTING_WITH, ENDING_WITH, REGEX -> (propertyType == String.class) ? null
                    : keyword + " needs a String property, but " + name + " is a " + leaf.getType().getName();
            case GREATER_THAN, GREATER_THAN_EQUAL, LESS_THAN, LESS_THAN_EQUAL, BEFORE, AFTER, BETWEEN ->
                EntityProperties.isComparable(leaf) ? null
                        : keyword + " needs a Comparable property, but " + name + " is a " + leaf.getType().getName();
            default -> null;
        };
    }

    private static String keyword(Part.Type type) {
        return type.name() + " " + type.getKeywords();
    }

    /**
     * Build the filter of a method name for one call.
     * @param tree the parsed method name, whose parts passed {@link #problem(Part)}
     * @param arguments the bindable arguments of the call, in order
     * @return the filter: the {@code Or} of the {@code And} of the parts
     */
    Predicate<T> create(PartTree tree, Iterator<Object> arguments) {
        @Nullable Predicate<T> any = null;
        for (PartTree.OrPart or : tree) {
            Predicate<T> all = (entity) -> true;
            for (Part part : or) {
                all = all.and(create(part, arguments));
            }
            any = (any != null) ? any.or(all) : all;
        }
        return (any != null) ? any : (entity) -> true;
    }

    private Predicate<T> create(Part part, Iterator<Object> arguments) {
        PropertyPath path = part.getProperty();
        Predicate<@Nullable Object> test = test(part, arguments);
        return (entity) -> test.test(this.properties.read(entity, path));
    }

    private Predicate<@Nullable Object> test(Part part, Iterator<Object> arguments) {
        PropertyPath leaf = part.getProperty().getLeafProperty();
        Class<?> type = ClassUtils.resolvePrimitiveIfNecessary(leaf.getType());
        boolean ignoreCase = part.shouldIgnoreCase() != Part.IgnoreCaseType.NEVER && type == String.class;
        return switch (part.getType()) {
            case SIMPLE_PROPERTY -> {
                Object argument = convert(arguments.next(), type, part);
                yield (argument == null) ? Objects::isNull : (value) -> value != null && same(value, argument, ignoreCase);
            }
            case NEGATING_SIMPLE_PROPERTY -> {
                Object argument = convert(arguments.next(), type, part);
                yield (argument == null) ? Objects::nonNull
                        : (value) -> value != null && !same(value, argument, ignoreCase);
            }
            case IN -> {
                List<Object> candidates = convertAll(arguments.next(), type, part);
                yield (value) -> value != null && candidates.stream().anyMatch((c) -> same(value, c, ignoreCase));
            }
            case NOT_IN -> {
                List<Object> candidates = convertAll(arguments.next(), type, part);
                yield (value) -> value != null && candidates.stream().noneMatch((c) -> same(value, c, ignoreCase));
            }
            case IS_NULL -> Objects::isNull;
            case IS_NOT_NULL -> Objects::nonNull;
            case TRUE -> Boolean.TRUE::equals;
            case FALSE -> Boolean.FALSE::equals;
            case IS_EMPTY -> (value) -> value == null || isEmpty(value);
            case IS_NOT_EMPTY -> (value) -> value != null && !isEmpty(value);
            case LIKE, NOT_LIKE, REGEX -> {
                Object argument = convert(arguments.next(), String.class, part);
                if (argument == null) {
                    yield (value) -> false;
                }
                Pattern pattern = (part.getType() == Part.Type.REGEX) ? regex((String) argument, ignoreCase)
                        : like((String) argument, ignoreCase);
                boolean negate = part.getType() == Part.Type.NOT_LIKE;
                boolean whole = part.getType() != Part.Type.REGEX;
                yield (value) -> value != null && negate != (whole ? pattern.matcher((String) value).matches()
                        : pattern.matcher((String) value).find());
            }
            case STARTING_WITH, ENDING_WITH -> {
                String argument = (String) convert(arguments.next(), String.class, part);
                boolean start = part.getType() == Part.Type.STARTING_WITH;
                yield (value) -> value != null && argument != null && (start
                        ? lower((String) value, ignoreCase).startsWith(lower(argument, ignoreCase))
                        : lower((String) value, ignoreCase).endsWith(lower(argument, ignoreCase)));
            }
            case CONTAINING, NOT_CONTAINING -> {
                Object argument = convert(arguments.next(), type, part);
                boolean negate = part.getType() == Part.Type.NOT_CONTAINING;
                yield (value) -> value != null && argument != null && negate != contains(value, argument, ignoreCase);
            }
            case GREATER_THAN, AFTER -> compare(convert(arguments.next(), type, part), (c) -> c > 0);
            case GREATER_THAN_EQUAL -> compare(convert(arguments.next(), type, part), (c) -> c >= 0);
            case LESS_THAN, BEFORE -> compare(convert(arguments.next(), type, part), (c) -> c < 0);
            case LESS_THAN_EQUAL -> compare(convert(arguments.next(), type, part), (c) -> c <= 0);
            case BETWEEN -> compare(convert(arguments.next(), type, part), (c) -> c >= 0)
                .and(compare(convert(arguments.next(), type, part), (c) -> c <= 0));
            default -> throw new IllegalStateException("Unsupported keyword " + part.getType() + " passed validation");
        };
    }

    private static Predicate<@Nullable Object> compare(@Nullable Object argument,
            IntPredicate accept) {
        return (value) -> value != null && argument != null
                && accept.test(RedisJsonSorting.compare(value, argument, false));
    }

    private @Nullable Object convert(@Nullable Object argument, Class<?> type, Part part) {
        if (argument == null || type.isInstance(argument)) {
            return argument;
        }
        if (this.conversionService.canConvert(argument.getClass(), type)) {
            return this.conversionService.convert(argument, type);
        }
        throw new InvalidDataAccessApiUsageException("A " + argument.getClass().getName() + " argument cannot be "
                + "compared with property '" + part.getProperty().toDotPath() + "' of "
                + this.properties.type().getName() + ", which is a " + type.getName());
    }

    private List<Object> convertAll(@Nullable Object argument, Class<?> type, Part part) {
        if (argument == null) {
            throw new InvalidDataAccessApiUsageException("The argument for '" + part.getProperty().toDotPath()
                    + "' with " + part.getType() + " must not be null");
        }
        Collection<?> values = (argument instanceof Collection<?> collection) ? collection
                : ObjectUtils.isArray(argument) ? List.of(ObjectUtils.toObjectArray(argument)) : List.of(argument);
        List<Object> converted = new ArrayList<>(values.size());
        for (Object value : values) {
            Object one = convert(value, type, part);
            if (one != null) {
                converted.add(one);
            }
        }
        return converted;
    }

    private static boolean same(Object value, Object argument, boolean ignoreCase) {
        if (ignoreCase && value instanceof String left && argument instanceof String right) {
            return lower(left, true).equals(lower(right, true));
        }
        // Comparable values compare by value (BigDecimal 1.0 equals 1.00, as in SQL).
        if (value instanceof Comparable<?> && value.getClass() == argument.getClass()) {
            return RedisJsonSorting.compare(value, argument, false) == 0;
        }
        return Objects.equals(value, argument);
    }

    private static boolean contains(Object value, Object argument, boolean ignoreCase) {
        if (value instanceof String text) {
            return lower(text, ignoreCase).contains(lower((String) argument, ignoreCase));
        }
        for (Object element : (Collection<?>) value) {
            if (element != null && same(element, argument, ignoreCase)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isEmpty(Object value) {
        return (value instanceof Map<?, ?> map) ? map.isEmpty() : ((Collection<?>) value).isEmpty();
    }

    private static String lower(String value, boolean ignoreCase) {
        return ignoreCase ? value.toLowerCase(Locale.ROOT) : value;
    }

    /** Translate an SQL {@code LIKE} pattern: {@code %} any run, {@code _} one character, {@code \} escapes. */
    static Pattern like(String pattern, boolean ignoreCase) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\\' && i + 1 < pattern.length()) {
                regex.append(Pattern.quote(String.valueOf(pattern.charAt(++i))));
            }
            else if (c == '%') {
                regex.append(".*");
            }
            else if (c == '_') {
                regex.append('.');
            }
            else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL | caseFlags(ignoreCase));
    }

    private static Pattern regex(String pattern, boolean ignoreCase) {
        return Pattern.compile(pattern, caseFlags(ignoreCase));
    }

    private static int caseFlags(boolean ignoreCase) {
        return ignoreCase ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE : 0;
    }

}
