package dev.dualwrite.core.inventory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.dualwrite.core.redis.KeyPatterns;
import dev.dualwrite.core.repair.RedisRepairKeys;
import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;
import org.springframework.util.StringUtils;

/**
 * The keys one paired repository keeps in Redis, pattern by pattern: its entities and the
 * auxiliary keys Spring Data Redis and dual-write keep beside them. Built with
 * {@link #redisHash} or {@link #jsonStrings}; the inventory files every scanned key under the
 * most specific pattern of any repository that claims it.
 */
public final class RepositoryKeys {

    private static final String PHANTOM = ":phantom";

    private static final String INDEX_SET = ":idx";

    private final String repository;

    private final String shape;

    private final String prefix;

    private final @Nullable String keyspace;

    private final List<String> indexPaths;

    private final List<String> geoIndexPaths;

    private final List<String> mapIndexPaths;

    private final @Nullable KeyPattern other;

    private final List<KeyPattern> patterns;

    private final KeyPattern entities;

    private final Map<KeyRole, KeyPattern> auxiliary = new EnumMap<>(KeyRole.class);

    private final Map<String, KeyPattern> indexes = new HashMap<>();

    private final Map<String, KeyPattern> geoIndexes = new HashMap<>();

    private final Map<String, KeyPattern> mapIndexes = new HashMap<>();

    private final RedisRepairKeys repairKeys;

    private RepositoryKeys(String repository, String shape, String prefix, @Nullable String keyspace,
            List<String> indexPaths, List<String> geoIndexPaths, List<String> mapIndexPaths,
            RedisRepairKeys repairKeys) {
        Assert.isTrue(StringUtils.hasLength(repository), "repository must not be empty");
        Assert.notNull(repairKeys, "repairKeys must not be null");
        Assert.isTrue(StringUtils.hasLength(prefix), "prefix must not be empty");
        this.repository = repository;
        this.shape = shape;
        this.prefix = prefix;
        this.keyspace = keyspace;
        this.repairKeys = repairKeys;
        // Longest first: with paths "a" and "a.b", a key "ks:a.b:x" belongs to "a.b".
        this.indexPaths = indexPaths.stream().distinct().sorted(Comparator.comparingInt(String::length).reversed()).toList();
        this.geoIndexPaths = List.copyOf(geoIndexPaths);
        this.mapIndexPaths = mapIndexPaths.stream()
            .distinct()
            .sorted(Comparator.comparingInt(String::length).reversed())
            .toList();
        List<KeyPattern> patterns = new ArrayList<>();
        if (keyspace != null) {
            this.entities = new KeyPattern(escape(keyspace) + ":*", KeyRole.ENTITIES, "hash");
            patterns.add(this.entities);
            this.other = new KeyPattern(escape(keyspace) + ":*", KeyRole.OTHER, "hash");
            patterns.add(aux(new KeyPattern(escape(keyspace), KeyRole.KEYSPACE_SET, "set")));
            for (String path : this.indexPaths) {
                KeyPattern index = new KeyPattern(escape(keyspace) + ":" + escape(path) + ":*", KeyRole.INDEXES, "set");
                this.indexes.put(path, index);
                patterns.add(index);
            }
            for (String path : this.mapIndexPaths) {
                KeyPattern index = new KeyPattern(escape(keyspace) + ":" + escape(path) + ".*", KeyRole.INDEXES, "set");
                this.mapIndexes.put(path, index);
                patterns.add(index);
            }
            for (String path : this.geoIndexPaths) {
                KeyPattern index = new KeyPattern(escape(keyspace) + ":" + escape(path), KeyRole.GEO_INDEXES, "zset");
                this.geoIndexes.put(path, index);
                patterns.add(index);
            }
            patterns.add(aux(new KeyPattern(escape(keyspace) + ":*" + INDEX_SET, KeyRole.ENTITY_INDEX_SETS, "set")));
            patterns.add(aux(new KeyPattern(escape(keyspace) + ":*" + PHANTOM, KeyRole.PHANTOMS, "hash")));
            patterns.add(this.other);
        }
        else {
            this.entities = new KeyPattern(escape(prefix) + "*", KeyRole.ENTITIES, "string");
            this.other = null;
            patterns.add(this.entities);
        }
        patterns.add(new KeyPattern(repairKeys.records(repository), KeyRole.DUAL_WRITE, "hash"));
        patterns.add(new KeyPattern(repairKeys.claims(repository), KeyRole.DUAL_WRITE, "hash"));
        patterns.add(new KeyPattern(repairKeys.intents(repository), KeyRole.DUAL_WRITE, "zset"));
        this.patterns = List.copyOf(patterns);
    }

    /**
     * Describe a {@code @RedisHash} repository: its entity hashes {@code <keyspace>:<id>}, the
     * keyspace set, one index pattern per indexed property, the per-entity index sets and
     * phantom copies, and dual-write's own keys of the repository.
     * @param repository the paired repository's name
     * @param keyspace the entity's keyspace
     * @param indexPaths property paths with a secondary index ({@code @Indexed}, or an index
     * definition of the keyspace), e.g. {@code name} or {@code address.city}
     * @param geoIndexPaths property paths with a geo index ({@code @GeoIndexed})
     * @return the keys
     */
    public static RepositoryKeys redisHash(String repository, String keyspace, Collection<String> indexPaths,
            Collection<String> geoIndexPaths) {
        return redisHash(repository, keyspace, indexPaths, geoIndexPaths, List.of());
    }

    /**
     * Describe a {@code @RedisHash} repository whose entities also index map entries.
     * @param repository the paired repository's name
     * @param keyspace the entity's keyspace
     * @param indexPaths property paths with a secondary index, e.g. {@code name},
     * {@code address.city} or, inside a collection, {@code addresses.city}
     * @param geoIndexPaths property paths with a geo index ({@code @GeoIndexed})
     * @param mapIndexPaths property paths of maps with indexed entries: Spring Data writes
     * {@code <keyspace>:<path>.<map key>:<value>} (or {@code .<map key>.<property>:} for
     * entity values), so every key under {@code <keyspace>:<path>.} is an index set
     * @return the keys
     */
    public static RepositoryKeys redisHash(String repository, String keyspace, Collection<String> indexPaths,
            Collection<String> geoIndexPaths, Collection<String> mapIndexPaths) {
        Assert.isTrue(StringUtils.hasLength(keyspace), "keyspace must not be empty");
        return new RepositoryKeys(repository, "@RedisHash keyspace '" + keyspace + "'", keyspace + ":", keyspace,
                List.copyOf(indexPaths), List.copyOf(geoIndexPaths), List.copyOf(mapIndexPaths),
                RedisRepairKeys.DEFAULT);
    }

    /**
     * Describe a repository of JSON strings under a key prefix: one string per entity, and
     * dual-write's own keys of the repository.
     * @param repository the paired repository's name
     * @param keyPrefix the prefix of its keys, e.g. {@code token:}
     * @return the keys
     */
    public static RepositoryKeys jsonStrings(String repository, String keyPrefix) {
        return new RepositoryKeys(repository, "JSON strings under '" + keyPrefix + "'", keyPrefix, null, List.of(),
                List.of(), List.of(), RedisRepairKeys.DEFAULT);
    }

    /**
     * Return the same keys with dual-write's own keys of the repository named as given, for an
     * application whose repair log has a key prefix of its own (the factories name them
     * {@link RedisRepairKeys#DEFAULT as by default}).
     * @param repairKeys the names of the repair log's keys
     * @return the keys
     */
    public RepositoryKeys withRepairKeys(RedisRepairKeys repairKeys) {
        return new RepositoryKeys(this.repository, this.shape, this.prefix, this.keyspace, this.indexPaths,
                this.geoIndexPaths, this.mapIndexPaths, repairKeys);
    }

    /** Return the repository's name. */
    public String repository() {
        return this.repository;
    }

    /** Return how the repository keeps its entities, for the report. */
    public String shape() {
        return this.shape;
    }

    /** Return every pattern, entities first, in the order the report lists them. */
    public List<KeyPattern> patterns() {
        return this.patterns;
    }

    /** Return the pattern of the entities, the keys a backfill copies. */
    public KeyPattern entities() {
        return this.entities;
    }

    /** Return the {@code @RedisHash} keyspace, {@code null} for JSON strings. */
    @Nullable String keyspace() {
        return this.keyspace;
    }

    /**
     * Return the pattern of keys under a {@code @RedisHash} keyspace that turn out not to be
     * hashes (so no entities), {@code null} for JSON strings.
     */
    @Nullable KeyPattern other() {
        return this.other;
    }

    /**
     * Tell which of this repository's patterns a key falls under.
     * @param key a Redis key
     * @return the pattern and how specific the match is (the length of the literal part it
     * matched), or {@code null} when the key is none of this repository's
     */
    @Nullable Match match(String key) {
        if (key.startsWith(this.repairKeys.prefix())) {
            for (KeyPattern pattern : this.patterns) {
                if (pattern.role() == KeyRole.DUAL_WRITE && pattern.pattern().equals(key)) {
                    return new Match(this, pattern, key.length());
                }
            }
        }
        if (this.keyspace == null) {
            return key.startsWith(this.prefix) ? new Match(this, this.entities, this.prefix.length()) : null;
        }
        if (key.equals(this.keyspace)) {
            return new Match(this, this.auxiliary.get(KeyRole.KEYSPACE_SET), key.length() + 1);
        }
        if (!key.startsWith(this.prefix)) {
            return null;
        }
        String rest = key.substring(this.prefix.length());
        for (String path : this.geoIndexPaths) {
            if (rest.equals(path)) {
                return new Match(this, this.geoIndexes.get(path), key.length());
            }
        }
        // Index sets before the suffixes: an indexed value may itself end with ":idx".
        for (String path : this.indexPaths) {
            if (rest.startsWith(path + ":")) {
                return new Match(this, this.indexes.get(path), this.prefix.length() + path.length() + 1);
            }
        }
        for (String path : this.mapIndexPaths) {
            if (rest.startsWith(path + ".")) {
                return new Match(this, this.mapIndexes.get(path), this.prefix.length() + path.length() + 1);
            }
        }
        if (rest.endsWith(INDEX_SET) && rest.length() > INDEX_SET.length()) {
            return new Match(this, this.auxiliary.get(KeyRole.ENTITY_INDEX_SETS), this.prefix.length());
        }
        if (rest.endsWith(PHANTOM) && rest.length() > PHANTOM.length()) {
            return new Match(this, this.auxiliary.get(KeyRole.PHANTOMS), this.prefix.length());
        }
        return new Match(this, this.entities, this.prefix.length());
    }

    private KeyPattern aux(KeyPattern pattern) {
        this.auxiliary.put(pattern.role(), pattern);
        return pattern;
    }

    private static String escape(String literal) {
        return KeyPatterns.escape(literal);
    }

    @Override
    public String toString() {
        return this.repository + " (" + this.shape + ")";
    }

    /**
     * A key's pattern.
     * @param keys the repository's keys it belongs to
     * @param pattern the pattern
     * @param specificity the length of the literal part the key matched: the longest wins
     * when two repositories claim a key
     */
    record Match(RepositoryKeys keys, KeyPattern pattern, int specificity) {
    }

}
