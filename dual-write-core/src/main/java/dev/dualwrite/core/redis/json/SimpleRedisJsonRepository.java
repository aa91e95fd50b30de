package dev.dualwrite.core.redis.json;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.springframework.data.domain.Page;
import org.springframework.data.domain.PageImpl;
import org.springframework.data.domain.Pageable;
import org.springframework.data.domain.Sort;
import org.springframework.data.repository.ListCrudRepository;
import org.springframework.data.repository.ListPagingAndSortingRepository;
import org.springframework.data.util.Streamable;
import org.springframework.util.Assert;

/**
 * The implementation behind every Redis JSON repository: each entity is one JSON string
 * under {@code keyPrefix + id}.
 * <p>
 * By id, everything is one command ({@code GET} through {@code MGET}, {@code SET},
 * {@code EXISTS}, {@code UNLINK}) or one command per batch ({@code MGET}, {@code MSET},
 * {@code UNLINK}). Everything else enumerates the prefix with {@code SCAN}: {@code count()}
 * and {@code deleteAll()} only look at keys, {@code findAll} decodes every value. Sorting and
 * sorted paging happen in memory after the scan, which suits small keyspaces; unsorted pages
 * follow the (lexicographic) order of the keys and decode only the page's values, so pages
 * are stable between calls. {@code count()} and page totals count keys, so they include
 * values that cannot be read.
 * <p>
 * Writers may delete and re-create keys while a multi-key read runs: the answer holds the
 * keys that exist when their batch is read, with the values read then, and never fails for
 * that. A value that cannot be read makes {@code findById} of its key fail with a
 * {@link RedisJsonReadException} naming the key; multi-key reads leave it out (logged once
 * per key) or fail, as the {@link UnreadableValuePolicy} says. Single Redis only, no Redis
 * Cluster (see {@link RedisJsonStore}).
 * @param <T> the entity type
 * @param <ID> the id type
 */
public class SimpleRedisJsonRepository<T, ID> implements ListCrudRepository<T, ID>, ListPagingAndSortingRepository<T, ID> {

    private final RedisJsonEntityInformation<T, ID> information;

    private final RedisJsonStore<T, ID> store;

    private final RedisJsonSorting<T> sorting;

    /**
     * Create the repository of one entity type.
     * @param store Redis access of the entity type
     * @param sorting in-memory sorting of the entity type
     */
    public SimpleRedisJsonRepository(RedisJsonStore<T, ID> store, RedisJsonSorting<T> sorting) {
        Assert.notNull(store, "store must not be null");
        Assert.notNull(sorting, "sorting must not be null");
        this.information = store.getEntityInformation();
        this.store = store;
        this.sorting = sorting;
    }

    /** Return the store behind this repository (used by the backfill's and verifier's scans). */
    public RedisJsonStore<T, ID> getStore() {
        return this.store;
    }

    @Override
    public <S extends T> S save(S entity) {
        Assert.notNull(entity, "entity must not be null");
        this.store.save(entity);
        return entity;
    }

    @Override
    public <S extends T> List<S> saveAll(Iterable<S> entities) {
        Assert.notNull(entities, "entities must not be null");
        List<S> list = Streamable.of(entities).toList();
        list.forEach((entity) -> Assert.notNull(entity, "entities must not contain null"));
        this.store.saveAll(list);
        return list;
    }

    @Override
    public Optional<T> findById(ID id) {
        Assert.notNull(id, "id must not be null");
        return this.store.findById(id);
    }

    @Override
    public boolean existsById(ID id) {
        Assert.notNull(id, "id must not be null");
        return this.store.existsById(id);
    }

    @Override
    public List<T> findAll() {
        try (Stream<RedisJsonEntry<T>> entries = this.store.stream()) {
            return entries.map(RedisJsonEntry::entity).toList();
        }
    }

    @Override
    public List<T> findAllById(Iterable<ID> ids) {
        Assert.notNull(ids, "ids must not be null");
        return entities(this.store.findAllById(requireIds(ids)));
    }

    @Override
    public long count() {
        return this.store.count();
    }

    @Override
    public void deleteById(ID id) {
        Assert.notNull(id, "id must not be null");
        this.store.deleteById(id);
    }

    @Override
    public void delete(T entity) {
        Assert.notNull(entity, "entity must not be null");
        this.store.deleteById(requireId(entity));
    }

    @Override
    public void deleteAllById(Iterable<? extends ID> ids) {
        Assert.notNull(ids, "ids must not be null");
        this.store.deleteAllById(requireIds(ids));
    }

    @Override
    public void deleteAll(Iterable<? extends T> entities) {
        Assert.notNull(entities, "entities must not be null");
        List<ID> ids = new ArrayList<>();
        for (T entity : entities) {
            Assert.notNull(entity, "entities must not contain null");
            ids.add(requireId(entity));
        }
        this.store.deleteAllById(ids);
    }

    @Override
    public void deleteAll() {
        this.store.deleteAll();
    }

    @Override
    public List<T> findAll(Sort sort) {
        Assert.notNull(sort, "sort must not be null");
        if (sort.isUnsorted()) {
            return findAll();
        }
        return entities(sorted(sort));
    }

    @Override
    public Page<T> findAll(Pageable pageable) {
        Assert.notNull(pageable, "pageable must not be null");
        if (pageable.isUnpaged()) {
            List<T> all = findAll(pageable.getSort());
            return new PageImpl<>(all, pageable, all.size());
        }
        if (pageable.getSort().isUnsorted()) {
            // Only keys are needed to order and count; only the page's values are read.
            List<String> keys = new ArrayList<>(this.store.keys());
            Collections.sort(keys);
            List<String> page = slice(keys, pageable);
            return new PageImpl<>(entities(this.store.read(page)), pageable, keys.size());
        }
        List<RedisJsonEntry<T>> all = sorted(pageable.getSort());
        return new PageImpl<>(entities(slice(all, pageable)), pageable, all.size());
    }

    private List<RedisJsonEntry<T>> sorted(Sort sort) {
        // Checked before the scan, so that a wrong property fails without reading everything.
        var comparator = this.sorting.comparator(sort);
        try (Stream<RedisJsonEntry<T>> entries = this.store.stream()) {
            return entries.sorted(comparator).toList();
        }
    }

    private static <E> List<E> slice(List<E> all, Pageable pageable) {
        long from = Math.min(pageable.getOffset(), all.size());
        long to = Math.min(from + pageable.getPageSize(), all.size());
        return all.subList((int) from, (int) to);
    }

    private static <T> List<T> entities(List<RedisJsonEntry<T>> entries) {
        return entries.stream().map(RedisJsonEntry::entity).toList();
    }

    private ID requireId(T entity) {
        return this.information.getRequiredId(entity);
    }

    private static <I> List<I> requireIds(Iterable<I> ids) {
        List<I> list = Streamable.of(ids).toList();
        list.forEach((id) -> Assert.notNull(id, "ids must not contain null"));
        return list;
    }

}
