package dev.dualwrite.core.backfill;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.dualwrite.core.expiry.KeyExpiry;
import dev.dualwrite.core.store.PostgresSide;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.data.jdbc.core.convert.JdbcConverter;
import org.springframework.data.relational.core.dialect.PostgresDialect;
import org.springframework.data.relational.core.mapping.RelationalPersistentEntity;
import org.springframework.data.relational.core.mapping.RelationalPersistentProperty;
import org.springframework.data.relational.core.sql.IdentifierProcessing;
import org.springframework.data.relational.core.sql.SqlIdentifier;
import org.springframework.jdbc.core.JdbcOperations;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.transaction.support.TransactionOperations;
import org.springframework.util.Assert;

/**
 * Writes backfill batches into one repository's table, race-safe against live writes:
 * <ol>
 * <li>In one transaction, take the advisory lock of every key of the batch (the same
 * {@code pg_advisory_xact_lock(hashtextextended('<repository>:<key>', 0))} that every live
 * secondary write of the key holds), in a fixed order so two batches never deadlock.</li>
 * <li>Insert only the rows that are absent: a row a live write produced is never overwritten. A live write waiting for a lock runs
 * after this transaction and, re-reading Redis, overwrites the backfilled value with the
 * current one.</li>
 * <li>Still holding the locks, ask Redis which of the inserted keys still exist, and delete
 * the rows of keys that vanished since they were read: a live delete that ran before the
 * locks were taken is never undone, and one that runs after them deletes the row itself.</li>
 * <li>Only in a catch-up ({@link BackfillMode#CATCH_UP}), still holding the locks, bring the
 * present rows that differ from Redis up to date with Redis's current value, re-read under
 * the locks ({@link CatchUpWriter}).</li>
 * </ol>
 * The columns are those Spring Data JDBC's own insert writes, embedded objects' columns
 * included ({@link EntityColumns}), and values are converted with the application's
 * {@link JdbcConverter} (custom conversions included). Between the locks and the re-check,
 * the batch's present ids are looked up and its other rows streamed with {@code COPY}
 * straight into the table ({@link CopyInsert}), which leaves PostgreSQL the least work of the
 * ways measured (see {@code docs/backfill.md}).
 * A multi-row {@code INSERT ... VALUES ... ON CONFLICT (id) DO NOTHING} (split to stay under
 * the protocol's 32,767 parameters, generated from the Spring Data JDBC mapping with quoted
 * identifiers) takes over for batches of fewer than 16 rows, for drivers other than
 * PostgreSQL's own and for values COPY's text form is not written for. Aggregates neither can
 * express (references and collections of entities, versions, composite ids) go through
 * Spring Data JDBC one row at a time, under the same locks.
 * @param <P> the PostgreSQL entity type
 */
public final class PostgresBatchWriter<P> {

    private static final Logger logger = LoggerFactory.getLogger(PostgresBatchWriter.class);

    private static final int MAX_PARAMETERS = 32_767;

    // For measuring only: "true" writes batches with multi-row statements instead of COPY (read
    // per batch, so that the benchmark measures both ways in one JVM).
    static final String MULTI_ROW_INSERT_PROPERTY = "dualwrite.backfill.multi-row-insert";

    private static final String ASYNC_COMMIT_SQL = "set local synchronous_commit to off";

    // Below this, a multi-row statement is as cheap as COPY's extra statements.
    private static final int COPY_MIN_ROWS = 16;

    private final PostgresSide<P, Object> side;

    private final JdbcOperations jdbc;

    private final TransactionOperations transactions;

    private final EntityColumns columns;

    // One per column: the converter's per-property work (reflection on the property's generic
    // type) is done once, not per value; see ColumnConverter for the per-value part.
    private final List<ColumnConverter> columnConverters = new ArrayList<>();

    private final ColumnConverter idConverter;

    private final RelationalPersistentProperty idProperty;

    // The id's index among the columns, whose converted value is the id as bound (-1: not written).
    private final int idIndex;

    private final String table;

    private final String idColumn;

    private final String columnList;

    private final List<String> quotedColumns = new ArrayList<>();

    private final @Nullable String unsupported;

    private final Map<Integer, String> insertStatements = new ConcurrentHashMap<>();

    private final List<String> columnNames = new ArrayList<>();

    // The CopyInsert, or why it cannot be used (a String); resolved on first use, as it asks
    // the catalog for the column types.
    private volatile @Nullable Object copyInsert;

    private final CatchUpWriter<P> catchUp;

    private volatile boolean asynchronousCommit;

    // Rows inserted each way, so that a test can tell which way a mapping takes (filled in the
    // constructor, then only read).
    private final Map<InsertWay, LongAdder> insertedBy = new EnumMap<>(InsertWay.class);

    /**
     * @param side the repository's PostgreSQL side (entity type, locks, per-row fallback)
     * @param converter the application's JDBC converter
     * @param jdbc the data source's operations
     * @param transactions transactions of the same data source
     * @param identifiers how identifiers are quoted ({@code null} for PostgreSQL's)
     */
    public PostgresBatchWriter(PostgresSide<P, ?> side, JdbcConverter converter, JdbcOperations jdbc,
            TransactionOperations transactions, @Nullable IdentifierProcessing identifiers) {
        this(side, converter, jdbc, transactions, identifiers, KeyExpiry.none());
    }

    /**
     * @param side the repository's PostgreSQL side (entity type, locks, per-row fallback)
     * @param converter the application's JDBC converter
     * @param jdbc the data source's operations
     * @param transactions transactions of the same data source
     * @param identifiers how identifiers are quoted ({@code null} for PostgreSQL's)
     * @param expiry the repository's expiry: a catch-up compares the expiry column within
     * its tolerance
     */
    @SuppressWarnings("unchecked")
    public PostgresBatchWriter(PostgresSide<P, ?> side, JdbcConverter converter, JdbcOperations jdbc,
            TransactionOperations transactions, @Nullable IdentifierProcessing identifiers, KeyExpiry<?, P, ?> expiry) {
        Assert.notNull(side, "side must not be null");
        Assert.notNull(expiry, "expiry must not be null");
        Assert.notNull(converter, "converter must not be null");
        Assert.notNull(jdbc, "jdbc must not be null");
        Assert.notNull(transactions, "transactions must not be null");
        this.side = (PostgresSide<P, Object>) side;
        this.jdbc = jdbc;
        this.transactions = transactions;
        RelationalPersistentEntity<?> entity = converter.getMappingContext()
            .getRequiredPersistentEntity(side.entityType());
        IdentifierProcessing processing = (identifiers != null) ? identifiers
                : PostgresDialect.INSTANCE.getIdentifierProcessing();
        this.idProperty = entity.getRequiredIdProperty();
        this.columns = new EntityColumns(converter.getMappingContext(), entity);
        this.unsupported = this.columns.unsupported();
        if (this.unsupported == null) {
            for (RelationalPersistentProperty column : this.columns.properties()) {
                this.columnConverters.add(new ColumnConverter(converter, column));
            }
        }
        this.idConverter = new ColumnConverter(converter, this.idProperty);
        this.idIndex = this.columns.properties().indexOf(this.idProperty);
        this.table = entity.getQualifiedTableName().toSql(processing);
        this.idColumn = this.idProperty.getColumnName().toSql(processing);
        List<String> names = new ArrayList<>();
        for (SqlIdentifier name : this.columns.names()) {
            names.add(name.toSql(processing));
            this.quotedColumns.add(name.toSql(processing));
            this.columnNames.add(name.getReference());
        }
        this.columnList = String.join(", ", names);
        for (InsertWay way : InsertWay.values()) {
            this.insertedBy.put(way, new LongAdder());
        }
        this.catchUp = new CatchUpWriter<>(this.side,
                new ExpiryTolerantComparator(converter.getMappingContext(), expiry),
                this::possiblyDiffering);
    }

    /**
     * Let each batch commit without waiting for its WAL to reach the disk
     * ({@code synchronous_commit = off} for the batch's transaction), which saves a disk flush
     * per batch. Safe only when the backfill's checkpoints are kept in the same database: a
     * checkpoint commits synchronously, which flushes the WAL up to itself and so every batch
     * before it, so a checkpoint never names a batch a crash could lose; a batch lost before
     * its checkpoint is copied again on resume, and any synchronous commit of a live write
     * flushes it too.
     * @param asynchronousCommit whether batches commit asynchronously (off by default)
     */
    public void setAsynchronousCommit(boolean asynchronousCommit) {
        this.asynchronousCommit = asynchronousCommit;
    }

    /**
     * Tell why the fast multi-row insert cannot express this entity, if it cannot.
     * @return the reason, or {@code null} when the fast path is used
     */
    public @Nullable String fallbackReason() {
        return this.unsupported;
    }

    /**
     * Convert a row's values for JDBC now, so that a value the converter refuses is found
     * per row (a reject) rather than failing a whole batch.
     * @param key the entity key (for the lock)
     * @param redisKey the Redis key (for the re-check)
     * @param row the entity
     * @return the prepared row
     * @throws RuntimeException when a value cannot be converted
     */
    public PreparedRow<P> prepare(String key, String redisKey, P row) {
        Object id = this.side.idOf(row);
        Assert.state(id != null, "the row has no id");
        Object[] values = null;
        int[] types = null;
        if (this.unsupported == null) {
            Object[] converted = new Object[this.columnNames.size()];
            int[] convertedTypes = new int[this.columnNames.size()];
            this.columns.forEachValue(row, (column, value) -> this.columnConverters.get(column)
                .write(value, converted, convertedTypes, column));
            values = converted;
            types = convertedTypes;
        }
        Object jdbcId = (values != null && this.idIndex >= 0) ? values[this.idIndex] : this.idConverter.convert(id);
        return new PreparedRow<>(key, redisKey, id, jdbcId, row, values, types);
    }

    /**
     * Write a batch race-safely (see the class description), leaving present rows alone.
     * @param rows the rows, each with an id
     * @param stillInRedis answers which of some Redis keys exist now
     * @return what happened to each row
     */
    public Outcome write(List<PreparedRow<P>> rows, Function<Collection<String>, Set<String>> stillInRedis) {
        return write(rows, stillInRedis, null);
    }

    /**
     * Write a batch race-safely (see the class description) and, when
     * {@code currentInRedis} is given, also bring its present rows that differ from Redis up
     * to date, still under the batch's locks ({@link BackfillMode#CATCH_UP}): each is
     * compared with Redis's current value, re-read under the lock, and that value is written,
     * or the row deleted when the key is gone. A value read before the locks is never written
     * over a row, so a newer live write is never undone.
     * @param rows the rows, each with an id
     * @param stillInRedis answers which of some Redis keys exist now
     * @param currentInRedis reads the current values of some Redis keys (a key missing from
     * its answer is gone), or {@code null} to leave present rows alone
     * @return what happened to each row
     */
    Outcome write(List<PreparedRow<P>> rows, Function<Collection<String>, Set<String>> stillInRedis,
            @Nullable Function<Collection<String>, Map<String, CurrentValue<P>>> currentInRedis) {
        if (rows.isEmpty()) {
            return Outcome.NONE;
        }
        Outcome outcome = this.transactions.execute((status) -> {
            if (this.asynchronousCommit) {
                this.jdbc.execute(ASYNC_COMMIT_SQL);
            }
            lock(rows);
            Set<String> inserted = (this.unsupported == null) ? insertAbsent(rows) : insertEach(rows);
            // Loops rather than streams: this runs for every batch, on every row.
            List<PreparedRow<P>> insertedRows = new ArrayList<>(inserted.size());
            List<PreparedRow<P>> presentRows = new ArrayList<>(rows.size() - inserted.size());
            for (PreparedRow<P> row : rows) {
                (inserted.contains(row.key()) ? insertedRows : presentRows).add(row);
            }
            Set<String> vanished = new HashSet<>();
            if (!insertedRows.isEmpty()) {
                List<String> redisKeys = new ArrayList<>(insertedRows.size());
                for (PreparedRow<P> row : insertedRows) {
                    redisKeys.add(row.redisKey());
                }
                // Under the locks: a delete after this check waits for them and removes the row itself.
                Set<String> existing = stillInRedis.apply(redisKeys);
                for (PreparedRow<P> row : insertedRows) {
                    if (!existing.contains(row.redisKey())) {
                        this.side.delete(row.id());
                        vanished.add(row.key());
                    }
                }
            }
            // Usually no key vanished: the inserted keys are then the written ones.
            Set<String> written = inserted;
            if (!vanished.isEmpty()) {
                written = new LinkedHashSet<>(inserted);
                written.removeAll(vanished);
            }
            CatchUpWriter.Result caughtUp = (currentInRedis != null)
                    ? this.catchUp.refresh(presentRows, currentInRedis) : CatchUpWriter.Result.NONE;
            Set<String> present = new LinkedHashSet<>();
            presentRows.forEach((row) -> present.add(row.key()));
            present.removeAll(caughtUp.refreshed());
            present.removeAll(caughtUp.removed());
            present.removeAll(caughtUp.unreadable().keySet());
            return new Outcome(written, present, vanished, caughtUp.refreshed(), caughtUp.removed(),
                    caughtUp.unreadable());
        });
        Assert.state(outcome != null, "no outcome");
        return outcome;
    }

    /**
     * Return how many of a batch's present rows differ from their value as read, without
     * locks or writes (a catch-up's dry run).
     * @param present the batch's rows found present ({@link #present})
     * @return how many of them differ
     */
    int countStale(List<PreparedRow<P>> present) {
        return this.catchUp.differing(present).rows().size();
    }

    /**
     * Delete the rows of keys Redis does not hold, race-safely: in one transaction holding
     * the keys' locks, ask Redis again which exist and delete the rows of the others. A key
     * written to Redis before the locks keeps its row; one written after them is copied by
     * its own live write, which waits for the locks.
     * @param rows the rows found without their Redis key
     * @param stillInRedis answers which of some Redis keys exist now
     * @return the keys whose rows were deleted
     */
    Set<String> removeGone(List<CatchUpWriter.GoneRow> rows, Function<Collection<String>, Set<String>> stillInRedis) {
        if (rows.isEmpty()) {
            return Set.of();
        }
        Set<String> removed = this.transactions.execute((status) -> {
            lockKeys(rows.stream().map(CatchUpWriter.GoneRow::key).toList());
            return this.catchUp.removeGone(rows, stillInRedis);
        });
        Assert.state(removed != null, "no outcome");
        return removed;
    }

    /**
     * Return which rows' ids are already in the table, without writing (dry run).
     * @param rows the rows
     * @return the keys of the rows present
     */
    public Set<String> present(List<PreparedRow<P>> rows) {
        Set<String> present = new HashSet<>();
        if (rows.isEmpty()) {
            return present;
        }
        String sql = "select " + this.idColumn + " from " + this.table + " where " + this.idColumn + " in ("
                + String.join(", ", Collections.nCopies(rows.size(), "?")) + ")";
        this.jdbc.query(sql, keysOfReturnedIds(rows, present), rows.stream().map(PreparedRow::jdbcId).toArray());
        return present;
    }

    /**
     * Tell why PostgreSQL cannot compare this table's stored rows with prepared ones for a
     * verification ({@link #absentOrDiffering}), if it cannot.
     * @return the reason, or {@code null} when it can
     */
    @Nullable String whyNotComparedInPostgres() {
        if (this.unsupported != null) {
            return this.unsupported;
        }
        Object copy = copyInsert();
        return (copy instanceof CopyInsert copyInsert) ? copyInsert.whyNoStoredRowQuery() : (String) copy;
    }

    /**
     * Return which of some rows the table does not hold, or holds with stored values that may
     * differ from the row's as a verification compares them, in one query that reads nothing
     * into the JVM: what a verification has to load and compare. Only for a table
     * {@link #whyNotComparedInPostgres() PostgreSQL can compare}.
     * @param rows the rows, each {@link #prepare prepared}
     * @return the keys of those rows (all of them when a value has no text form)
     */
    Set<String> absentOrDiffering(List<PreparedRow<P>> rows) {
        Set<String> keys = keysAt(rows, (copy, prepared) -> copy.absentOrDiffering(prepared));
        return (keys != null) ? keys : rows.stream().map(PreparedRow::key).collect(Collectors.toSet());
    }

    // The catch-up's first look at present rows, in SQL (see CopyInsert#differing); null when
    // the table or a value is not one COPY is used for: the rows are then loaded and compared.
    private @Nullable Set<String> possiblyDiffering(List<PreparedRow<P>> present) {
        return keysAt(present, CopyInsert::differing);
    }

    // The keys of the rows a CopyInsert query returns; null when the table is not one COPY is
    // used for, or the query has no answer.
    @SuppressWarnings({ "unchecked", "rawtypes" })
    private @Nullable Set<String> keysAt(List<PreparedRow<P>> rows,
            BiFunction<CopyInsert, List<PreparedRow<?>>, @Nullable BitSet> query) {
        if (this.unsupported != null || !(copyInsert() instanceof CopyInsert copy)) {
            return null;
        }
        Set<String> keys = new HashSet<>();
        if (rows.isEmpty()) {
            return keys;
        }
        BitSet found = query.apply(copy, (List) rows);
        if (found == null) {
            return null;
        }
        found.stream().forEach((index) -> keys.add(rows.get(index).key()));
        return keys;
    }

    private void lock(List<PreparedRow<P>> rows) {
        lockKeys(rows.stream().map(PreparedRow::key).toList());
    }

    private void lockKeys(List<String> keys) {
        String[] names = keys.stream().map(this.side::lockName).distinct().toArray(String[]::new);
        this.jdbc.query((Connection connection) -> {
            PreparedStatement statement = connection.prepareStatement(PostgresSide.LOCK_ALL_SQL);
            statement.setArray(1, connection.createArrayOf("text", names));
            return statement;
        }, (rs) -> {
        });
    }

    @SuppressWarnings({ "unchecked", "rawtypes" })
    private Set<String> insertAbsent(List<PreparedRow<P>> rows) {
        if (rows.size() >= COPY_MIN_ROWS && !Boolean.getBoolean(MULTI_ROW_INSERT_PROPERTY)
                && copyInsert() instanceof CopyInsert copy) {
            Set<String> inserted = copy.insert((List) rows);
            if (inserted != null) {
                return counted(InsertWay.COPY, inserted);
            }
        }
        return counted(InsertWay.MULTI_ROW_INSERT, insertAll(rows));
    }

    private Set<String> counted(InsertWay way, Set<String> inserted) {
        this.insertedBy.get(way).add(inserted.size());
        return inserted;
    }

    /**
     * Return how many rows were inserted one way since this writer was made, counting those of
     * batches whose transaction then failed.
     */
    long rowsInsertedBy(InsertWay way) {
        return this.insertedBy.get(way).sum();
    }

    private Object copyInsert() {
        Object copy = this.copyInsert;
        if (copy == null) {
            boolean[] stringProperties = new boolean[this.columnNames.size()];
            for (int i = 0; i < stringProperties.length; i++) {
                stringProperties[i] = this.columns.properties().get(i).getType() == String.class;
            }
            copy = (this.idIndex >= 0) ? CopyInsert.create(this.jdbc, this.table, this.idColumn, this.columnList,
                    this.columnNames, this.quotedColumns, this.idIndex, stringProperties,
                    this.columns.everyPropertyWritten()) : "the id is not a written column";
            if (copy instanceof String reason) {
                logger.info("dual-write: the backfill writes {} with multi-row inserts, not COPY, because {}", this.table,
                        reason);
            }
            this.copyInsert = copy;
        }
        return copy;
    }

    private Set<String> insertAll(List<PreparedRow<P>> rows) {
        Set<String> inserted = new HashSet<>();
        RowCallbackHandler returnedIds = keysOfReturnedIds(rows, inserted);
        // The protocol numbers parameters with 16 bits: a wide table's batch takes several statements.
        int rowsPerStatement = Math.max(1, MAX_PARAMETERS / this.columnNames.size());
        for (int from = 0; from < rows.size(); from += rowsPerStatement) {
            List<PreparedRow<P>> part = rows.subList(from, Math.min(rows.size(), from + rowsPerStatement));
            String sql = this.insertStatements.computeIfAbsent(part.size(), this::insertStatement);
            this.jdbc.query((Connection connection) -> {
                PreparedStatement statement = connection.prepareStatement(sql);
                bind(statement, part);
                return statement;
            }, returnedIds);
        }
        return inserted;
    }

    // Adds to keys the keys of the rows whose ids a statement returns (select id, returning
    // id): JDBC gives each id back as the object it was bound as.
    private static RowCallbackHandler keysOfReturnedIds(List<? extends PreparedRow<?>> rows, Set<String> keys) {
        Map<String, String> keyById = new HashMap<>();
        rows.forEach((row) -> keyById.put(String.valueOf(row.jdbcId()), row.key()));
        return (rs) -> {
            String key = keyById.get(String.valueOf(rs.getObject(1)));
            if (key != null) {
                keys.add(key);
            }
        };
    }

    private String insertStatement(int rowCount) {
        StringBuilder sql = new StringBuilder("insert into ").append(this.table).append(" (").append(this.columnList)
            .append(") values ");
        String tuple = "(" + String.join(", ", Collections.nCopies(this.columnNames.size(), "?")) + ")";
        for (int i = 0; i < rowCount; i++) {
            sql.append((i > 0) ? ", " : "").append(tuple);
        }
        // Only the id's conflict is expected (a row written by live traffic); any other unique
        // violation is an error that sets the row aside as a reject.
        return sql.append(" on conflict (").append(this.idColumn).append(") do nothing returning ")
            .append(this.idColumn)
            .toString();
    }

    private void bind(PreparedStatement statement, List<PreparedRow<P>> rows) throws SQLException {
        int index = 1;
        for (PreparedRow<P> row : rows) {
            Object[] values = row.values();
            int[] types = row.types();
            Assert.state(values != null && types != null, "row not prepared for the fast path");
            for (int i = 0; i < values.length; i++) {
                // TYPE_UNKNOWN (Integer.MIN_VALUE): let the driver infer the type, as Spring does.
                boolean unknown = types[i] == Integer.MIN_VALUE;
                if (values[i] == null) {
                    statement.setNull(index++, unknown ? Types.NULL : types[i]);
                }
                else if (unknown) {
                    statement.setObject(index++, values[i]);
                }
                else {
                    statement.setObject(index++, values[i], types[i]);
                }
            }
        }
    }

    private Set<String> insertEach(List<PreparedRow<P>> rows) {
        Set<String> inserted = new HashSet<>();
        for (PreparedRow<P> row : rows) {
            // We hold the key's lock, so no live writer can insert between the check and the insert.
            if (this.side.load(row.id()).isEmpty()) {
                this.side.upsert(row.entity());
                inserted.add(row.key());
            }
        }
        return counted(InsertWay.ONE_BY_ONE, inserted);
    }

    /** The ways a batch's absent rows are inserted (see the class description). */
    enum InsertWay {

        COPY, MULTI_ROW_INSERT, ONE_BY_ONE

    }

    /**
     * A row ready to write.
     * @param key the entity key
     * @param redisKey the Redis key
     * @param id the id
     * @param jdbcId the id as bound to JDBC
     * @param entity the entity
     * @param values column values for the fast path ({@code null} on the fallback path)
     * @param types their SQL types
     * @param <P> the entity type
     */
    public record PreparedRow<P>(String key, String redisKey, Object id, @Nullable Object jdbcId, P entity,
            Object @Nullable [] values, int @Nullable [] types) {
    }

    /**
     * What a batch did.
     * @param written keys whose rows were inserted
     * @param present keys whose rows were already there (and, in a catch-up, equal to Redis's
     * value or brought up to date by a live write meanwhile)
     * @param vanished keys inserted and deleted again because Redis no longer holds them
     * @param refreshed keys whose present rows a catch-up rewrote with Redis's current value
     * @param removed keys whose present rows a catch-up deleted because Redis no longer holds them
     * @param unreadable keys whose current Redis value a catch-up could not decode, with why
     * (their rows are left as they are)
     */
    public record Outcome(Set<String> written, Set<String> present, Set<String> vanished, Set<String> refreshed,
            Set<String> removed, Map<String, String> unreadable) {

        static final Outcome NONE = new Outcome(Set.of(), Set.of(), Set.of(), Set.of(), Set.of(), Map.of());

    }

    /**
     * The current Redis value of a key, as re-read by a catch-up: the row it maps to, or why it
     * cannot be read.
     * @param row the value mapped to a row, {@code null} when it does not decode or map
     * @param problem why it does not, {@code null} when it does
     * @param <P> the entity type
     */
    record CurrentValue<P>(@Nullable P row, @Nullable String problem) {
    }

}
