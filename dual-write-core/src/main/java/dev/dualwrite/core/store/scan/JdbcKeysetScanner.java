package dev.dualwrite.core.store.scan;

import java.sql.SQLType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import org.springframework.core.NestedExceptionUtils;
import org.springframework.core.convert.ConversionService;
import org.springframework.core.convert.support.DefaultConversionService;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.data.core.TypeInformation;
import org.springframework.data.domain.Sort;
import org.springframework.data.jdbc.core.JdbcAggregateOperations;
import org.springframework.data.jdbc.core.convert.JdbcConverter;
import org.springframework.data.jdbc.core.mapping.JdbcValue;
import org.springframework.data.relational.core.dialect.Dialect;
import org.springframework.data.relational.core.dialect.RenderContextFactory;
import org.springframework.data.relational.core.mapping.RelationalPersistentEntity;
import org.springframework.data.relational.core.mapping.RelationalPersistentProperty;
import org.springframework.data.relational.core.query.Criteria;
import org.springframework.data.relational.core.query.Query;
import org.springframework.data.relational.core.sql.Column;
import org.springframework.data.relational.core.sql.Conditions;
import org.springframework.data.relational.core.sql.Expression;
import org.springframework.data.relational.core.sql.SQL;
import org.springframework.data.relational.core.sql.Select;
import org.springframework.data.relational.core.sql.SelectBuilder;
import org.springframework.data.relational.core.sql.StatementBuilder;
import org.springframework.data.relational.core.sql.Table;
import org.springframework.data.relational.core.sql.render.SqlRenderer;
import org.springframework.jdbc.core.ColumnMapRowMapper;
import org.springframework.jdbc.core.JdbcOperations;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.SingleColumnRowMapper;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionException;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.Assert;
import org.springframework.util.ClassUtils;

/**
 * Scans one Spring Data JDBC entity type of an old store kept in a relational database (a
 * SQLite file, another schema of the same PostgreSQL, ...) by primary key: each step reads
 * the next {@link ScanSettings#batchSize()} rows in id order after the last id of the step
 * before ({@code where id > :last order by id limit :batchSize}; the first step without the
 * criterion), through the application's own {@link JdbcAggregateOperations}, so that rows map
 * exactly as its repositories map them. A scan is complete with the first step that reads fewer
 * rows than the batch size; rows inserted behind the position after that are the write path's,
 * not the scan's.
 * <p>
 * <b>Keys.</b> The key of an id is {@code String.valueOf(id)} (as the pair's
 * {@code DualRepository.keyOf}); a key converts back to an id with Spring's default
 * {@link ConversionService}. A key that is not the canonical text of an id (e.g. {@code "007"}
 * for a {@code Long} id) names no row: {@link #read} and {@link #existing} leave it out.
 * <p>
 * <b>Positions.</b> The text of a position is {@code keyset:start} before the first step,
 * {@code keyset:<rows passed>:<key of the last id>} between steps, and
 * {@code keyset:done:<rows passed>} after the last. The key is everything after the second
 * {@code ':'}, so keys that contain {@code ':'} need no escaping. An empty text is the initial
 * position, as for the Redis scanners.
 * <p>
 * <b>Decoding.</b> Spring Data JDBC maps rows while it reads them, so {@link #scanPage} does
 * both: the {@link RawEntry#reply() reply} of a row is the entity already mapped, and
 * {@link #decode} only wraps it (it touches no database and is thread-safe). A page that
 * fails to map is read again row by row (its ids with one statement, then each row by id), so
 * that a row that does not map becomes a reject naming its key and the exception's kind (never
 * its values), with the row's columns as {@code column=value} lines for the rejects table, and
 * never stops the scan. A store failure (connection lost, time-out) is thrown: the caller
 * retries the step from the same position. Decoded entries carry no raw value: the row stays
 * in its table for anyone who needs it.
 * <p>
 * <b>Settings.</b> {@link ScanSettings#idPattern()} is matched in the JVM with
 * {@link KeyGlob} against the key, with every feature of Redis's {@code SCAN MATCH} glob
 * ({@code *}, {@code ?}, {@code [set]}, {@code \} escapes); pages still advance by id, so a
 * selective pattern costs as many reads as {@code "*"} and may yield empty steps. Each step,
 * {@link #read} and {@link #existing} run in one transaction of the old store limited to
 * {@link ScanSettings#timeout()}, which Spring's JDBC support applies to every statement in
 * it. {@link #read} and {@link #existing} ask for at most 500 keys per statement;
 * {@code scanCount} and {@code pipelineDepth} have nothing to map to and are ignored.
 * <p>
 * {@link #size()} counts the rows ({@code count(*)}); a step from the initial position counts
 * them again for {@link SourceBatch#fraction()}, which is the rows passed over that count.
 * @param <R> the entity type
 * @param <ID> the id type
 */
public final class JdbcKeysetScanner<R, ID> implements OldStoreScanner<R, ID> {

    private static final String PREFIX = "keyset:";

    private static final String START = PREFIX + "start";

    private static final String DONE = PREFIX + "done:";

    // Statement parameters per IN list: far below every database's limit (SQLite's 32766 among them).
    private static final int KEYS_PER_STATEMENT = 500;

    private final Class<R> entityType;

    private final Class<ID> idType;

    private final JdbcAggregateOperations aggregates;

    private final JdbcOperations jdbc;

    private final PlatformTransactionManager transactions;

    private final RelationalPersistentEntity<?> entity;

    private final RelationalPersistentProperty idProperty;

    private final SQLType idSqlType;

    private final Table table;

    private final Column idColumn;

    private final SqlRenderer renderer;

    private final String rowSql;

    private final ConversionService conversions = DefaultConversionService.getSharedInstance();

    // The row count of the current run, for fractions: counted at the start of a run, or on the
    // first step of a scanner that resumes one; -1 until then. Two runs at once on one scanner
    // share it: only their progress estimates suffer, never what they scan.
    private volatile long total = -1;

    /**
     * @param entityType the old store's entity type, mapped by {@code aggregates}
     * @param idType its id type
     * @param aggregates the old store's Spring Data JDBC operations
     * @param jdbc the old store's database (the same {@code DataSource} as {@code aggregates})
     * @param dialect the old store's dialect, for quoting and {@code limit}
     * @param transactions the old store's transaction manager, whose transactions carry the time
     * limits of {@link ScanSettings#timeout()}
     */
    public JdbcKeysetScanner(Class<R> entityType, Class<ID> idType, JdbcAggregateOperations aggregates,
            JdbcOperations jdbc, Dialect dialect, PlatformTransactionManager transactions) {
        Assert.notNull(entityType, "entityType must not be null");
        Assert.notNull(idType, "idType must not be null");
        Assert.notNull(aggregates, "aggregates must not be null");
        Assert.notNull(jdbc, "jdbc must not be null");
        Assert.notNull(dialect, "dialect must not be null");
        Assert.notNull(transactions, "transactions must not be null");
        this.entityType = entityType;
        this.idType = idType;
        this.aggregates = aggregates;
        this.jdbc = jdbc;
        this.transactions = transactions;
        JdbcConverter converter = aggregates.getConverter();
        this.entity = converter.getMappingContext().getRequiredPersistentEntity(entityType);
        this.idProperty = this.entity.getRequiredIdProperty();
        Assert.isTrue(ClassUtils.isAssignable(idType, this.idProperty.getType()), () -> entityType.getName()
                + " has ids of " + this.idProperty.getType().getName() + ", not " + idType.getName());
        this.idSqlType = converter.getTargetSqlType(this.idProperty);
        // Rendered by Spring Data's SQL builder in the old store's dialect: identifiers come from
        // the mapping, quoted; ids travel as parameters; the limit is a number.
        this.table = Table.create(this.entity.getQualifiedTableName());
        this.idColumn = this.table.column(this.idProperty.getColumnName());
        this.renderer = SqlRenderer.create(new RenderContextFactory(dialect).createRenderContext());
        this.rowSql = this.renderer.render(StatementBuilder.select(this.table.asterisk())
            .from(this.table)
            .where(this.idColumn.isEqualTo(SQL.bindMarker()))
            .build());
    }

    @Override
    public SourcePosition initialPosition() {
        return KeysetPosition.INITIAL;
    }

    /**
     * Parse {@code keyset:start}, {@code keyset:<rows passed>:<key>} or
     * {@code keyset:done:<rows passed>} (see the class's Javadoc), or an empty text as the
     * initial position.
     */
    @Override
    public SourcePosition parsePosition(String text) {
        Assert.notNull(text, "text must not be null");
        if (text.isEmpty() || START.equals(text)) {
            return KeysetPosition.INITIAL;
        }
        Assert.isTrue(text.startsWith(PREFIX), () -> "'" + text + "' is not a keyset position");
        if (text.startsWith(DONE)) {
            return new KeysetPosition(rowsPassed(text, text.substring(DONE.length())), null, true);
        }
        String rest = text.substring(PREFIX.length());
        int colon = rest.indexOf(':');
        Assert.isTrue(colon > 0, () -> "'" + text + "' is not a keyset position");
        String key = rest.substring(colon + 1);
        Assert.isTrue(idOf(key) != null,
                () -> "The key in '" + text + "' does not convert to " + this.idType.getName());
        return new KeysetPosition(rowsPassed(text, rest.substring(0, colon)), key, false);
    }

    @Override
    public SourceBatch<R, ID> nextPage(SourcePosition from, ScanSettings settings) {
        RawSourceBatch raw = scanPage(from, settings);
        return new SourceBatch<>(decode(raw.entries()), raw.position(), raw.complete(), raw.fraction());
    }

    @Override
    public RawSourceBatch scanPage(SourcePosition from, ScanSettings settings) {
        Assert.notNull(from, "from must not be null");
        Assert.notNull(settings, "settings must not be null");
        KeysetPosition position = (from instanceof KeysetPosition keyset) ? keyset
                : (KeysetPosition) parsePosition(from.text());
        if (position.done()) {
            return new RawSourceBatch(List.of(), position, true, 1.0);
        }
        ID after = (position.lastKey() != null) ? requiredIdOf(position.lastKey()) : null;
        KeyGlob glob = "*".equals(settings.idPattern()) ? null : new KeyGlob(settings.idPattern());
        return inTransaction(settings, () -> {
            if (position.lastKey() == null || this.total < 0) {
                this.total = this.aggregates.count(this.entityType);
            }
            Page page = page(after, settings.batchSize(), glob);
            long passed = position.rowsPassed() + page.rows();
            boolean complete = page.rows() < settings.batchSize() || page.lastKey() == null;
            KeysetPosition next = complete ? new KeysetPosition(passed, null, true)
                    : new KeysetPosition(passed, page.lastKey(), false);
            return new RawSourceBatch(page.entries(), next, complete, fraction(passed, complete));
        });
    }

    @Override
    @SuppressWarnings("unchecked")
    public List<ScannedEntry<R, ID>> decode(List<RawEntry> entries) {
        List<ScannedEntry<R, ID>> decoded = new ArrayList<>(entries.size());
        for (RawEntry entry : entries) {
            String key = entry.redisKey();
            Object reply = entry.reply();
            if (reply instanceof Unmapped unmapped) {
                decoded.add(ScannedEntry.rejected(key, idOf(key), unmapped.row(), unmapped.problem()));
            }
            else if (reply != null) {
                R row = (R) reply;
                decoded.add(ScannedEntry.decoded(key, idOfEntity(row), row, null));
            }
            else {
                decoded.add(ScannedEntry.rejected(key, idOf(key), null, String.valueOf(entry.problem())));
            }
        }
        return decoded;
    }

    @Override
    public List<ScannedEntry<R, ID>> read(Collection<String> keys, ScanSettings settings) {
        Assert.notNull(keys, "keys must not be null");
        Assert.notNull(settings, "settings must not be null");
        Map<String, ID> ids = canonicalIds(keys);
        List<String> asked = new ArrayList<>(ids.keySet());
        Map<String, RawEntry> found = new LinkedHashMap<>();
        inTransaction(settings, () -> {
            for (int from = 0; from < asked.size(); from += KEYS_PER_STATEMENT) {
                List<ID> chunk = asked.subList(from, Math.min(asked.size(), from + KEYS_PER_STATEMENT))
                    .stream()
                    .map(ids::get)
                    .toList();
                for (RawEntry entry : rowsById(chunk)) {
                    found.put(entry.redisKey(), entry);
                }
            }
            return null;
        });
        List<RawEntry> inOrder = new ArrayList<>(found.size());
        for (String key : asked) {
            RawEntry entry = found.get(key);
            if (entry != null) {
                inOrder.add(entry);
            }
        }
        return decode(inOrder);
    }

    @Override
    public Set<String> existing(Collection<String> keys, ScanSettings settings) {
        Assert.notNull(keys, "keys must not be null");
        Assert.notNull(settings, "settings must not be null");
        Map<String, ID> ids = canonicalIds(keys);
        List<String> asked = new ArrayList<>(ids.keySet());
        Set<String> existing = new LinkedHashSet<>();
        inTransaction(settings, () -> {
            for (int from = 0; from < asked.size(); from += KEYS_PER_STATEMENT) {
                List<String> chunk = asked.subList(from, Math.min(asked.size(), from + KEYS_PER_STATEMENT));
                List<Expression> markers = chunk.stream().map((key) -> (Expression) SQL.bindMarker()).toList();
                String sql = this.renderer
                    .render(ids().where(Conditions.in(this.idColumn, markers)).build());
                Object[] values = chunk.stream().map((key) -> jdbcValue(ids.get(key))).toArray();
                for (Object raw : this.jdbc.query(sql, SingleColumnRowMapper.newInstance(Object.class), values)) {
                    ID id = (raw != null) ? idOf(raw) : null;
                    if (id != null && ids.containsKey(keyOf(id))) {
                        existing.add(keyOf(id));
                    }
                }
            }
            return null;
        });
        // In the order asked, as the Redis scanners answer.
        Set<String> ordered = new LinkedHashSet<>();
        for (String key : asked) {
            if (existing.contains(key)) {
                ordered.add(key);
            }
        }
        return ordered;
    }

    /** Return {@code String.valueOf(id)}. */
    @Override
    public String keyOf(ID id) {
        return String.valueOf(id);
    }

    /** Return the rows of the table ({@code count(*)}). */
    @Override
    public long size() {
        return this.aggregates.count(this.entityType);
    }

    @Override
    public String describe() {
        return "table " + this.entity.getQualifiedTableName() + " (" + this.entityType.getSimpleName() + ")";
    }

    // One page after an id: mapped by Spring Data JDBC in one query, or row by row when a row of
    // it does not map.
    private Page page(@Nullable ID after, int batchSize, @Nullable KeyGlob glob) {
        List<R> rows;
        try {
            Query query = Query.query((after != null) ? Criteria.where(this.idProperty.getName()).greaterThan(after)
                    : Criteria.empty()).sort(Sort.by(this.idProperty.getName())).limit(batchSize);
            rows = this.aggregates.findAll(query, this.entityType);
        }
        catch (RuntimeException ex) {
            if (isStoreFailure(ex)) {
                throw ex;
            }
            return pageRowByRow(after, batchSize, glob);
        }
        List<RawEntry> entries = new ArrayList<>(rows.size());
        String lastKey = null;
        for (R row : rows) {
            lastKey = keyOf(idOfEntity(row));
            if (glob == null || glob.matches(lastKey)) {
                entries.add(new RawEntry(lastKey, row, null));
            }
        }
        return new Page(entries, rows.size(), lastKey);
    }

    private Page pageRowByRow(@Nullable ID after, int batchSize, @Nullable KeyGlob glob) {
        // The same page as the failed query: the ids in order after the last one, limited alike.
        Select select = (after != null)
                ? ids().limit(batchSize).where(this.idColumn.isGreater(SQL.bindMarker())).orderBy(this.idColumn).build()
                : ids().limit(batchSize).orderBy(this.idColumn).build();
        Object[] values = (after != null) ? new Object[] { jdbcValue(after) } : new Object[0];
        List<Object> rawIds = this.jdbc.query(this.renderer.render(select),
                SingleColumnRowMapper.newInstance(Object.class), values);
        List<RawEntry> entries = new ArrayList<>(rawIds.size());
        String lastKey = null;
        for (Object rawId : rawIds) {
            ID id = (rawId != null) ? idOf(rawId) : null;
            if (id == null) {
                // Nothing can address such a row; the scan cannot go on past it either (see requiredIdOf).
                lastKey = String.valueOf(rawId);
                entries.add(new RawEntry(lastKey, null,
                        "the id column holds a value that does not convert to " + this.idType.getName()));
                continue;
            }
            lastKey = keyOf(id);
            if (glob == null || glob.matches(lastKey)) {
                RawEntry entry = rowById(id);
                if (entry != null) {
                    entries.add(entry);
                }
            }
        }
        return new Page(entries, rawIds.size(), lastKey);
    }

    // Rows of some ids, mapped in one query, or row by row when one of them does not map.
    private List<RawEntry> rowsById(List<ID> ids) {
        try {
            List<R> rows = this.aggregates.findAllById(ids, this.entityType);
            List<RawEntry> entries = new ArrayList<>(rows.size());
            for (R row : rows) {
                entries.add(new RawEntry(keyOf(idOfEntity(row)), row, null));
            }
            return entries;
        }
        catch (RuntimeException ex) {
            if (isStoreFailure(ex)) {
                throw ex;
            }
            List<RawEntry> entries = new ArrayList<>(ids.size());
            for (ID id : ids) {
                RawEntry entry = rowById(id);
                if (entry != null) {
                    entries.add(entry);
                }
            }
            return entries;
        }
    }

    private @Nullable RawEntry rowById(ID id) {
        String key = keyOf(id);
        try {
            R row = this.aggregates.findById(id, this.entityType);
            // Deleted since its id was read: left out, as a vanished Redis key is.
            return (row != null) ? new RawEntry(key, row, null) : null;
        }
        catch (RuntimeException ex) {
            if (isStoreFailure(ex)) {
                throw ex;
            }
            // Conversion messages quote values, which may be personal data: name the kind only.
            String problem = "the row does not map to " + this.entityType.getName() + " ("
                    + NestedExceptionUtils.getMostSpecificCause(ex).getClass().getSimpleName() + ")";
            return new RawEntry(key, new Unmapped(columnsOf(id), problem), null);
        }
    }

    // The row as the table holds it, for the rejects table; null when even that cannot be read.
    private @Nullable String columnsOf(ID id) {
        try {
            RowMapper<Map<String, Object>> columns = new ColumnMapRowMapper();
            List<Map<String, Object>> rows = this.jdbc.query(this.rowSql, columns, jdbcValue(id));
            if (rows.isEmpty()) {
                return null;
            }
            StringBuilder text = new StringBuilder();
            rows.get(0).forEach((column, value) -> {
                if (!text.isEmpty()) {
                    text.append('\n');
                }
                text.append(column).append('=').append((value instanceof byte[] bytes)
                        ? "0x" + HexFormat.of().formatHex(bytes) : String.valueOf(value));
            });
            return text.toString();
        }
        catch (RuntimeException ex) {
            if (isStoreFailure(ex)) {
                throw ex;
            }
            return null;
        }
    }

    // What the caller retries (the connection, a time-out, a transaction that could not start),
    // as opposed to a row that does not map, which is set aside.
    private static boolean isStoreFailure(RuntimeException ex) {
        return ex instanceof TransientDataAccessException || ex instanceof DataAccessResourceFailureException
                || ex instanceof RecoverableDataAccessException || ex instanceof TransactionException;
    }

    private <T> T inTransaction(ScanSettings settings, Supplier<T> work) {
        TransactionTemplate transaction = new TransactionTemplate(this.transactions);
        // Whole seconds, rounded up: what JDBC's query time-outs can express.
        transaction.setTimeout((int) Math.max(1, (settings.timeout().toMillis() + 999) / 1000));
        return transaction.execute((status) -> work.get());
    }

    private SelectBuilder.SelectFromAndJoin ids() {
        return StatementBuilder.select(this.idColumn).from(this.table);
    }

    private Object jdbcValue(ID id) {
        JdbcValue value = this.aggregates.getConverter()
            .writeJdbcValue(id, TypeInformation.of(this.idProperty.getType()), this.idSqlType);
        return value.getValue();
    }

    private double fraction(long passed, boolean complete) {
        if (complete) {
            return 1.0;
        }
        long total = this.total;
        return (total > 0) ? Math.min(1.0, (double) passed / total) : 0.0;
    }

    private Map<String, ID> canonicalIds(Collection<String> keys) {
        Map<String, ID> ids = new LinkedHashMap<>();
        for (String key : keys) {
            ID id = idOf(key);
            if (id != null && keyOf(id).equals(key)) {
                ids.put(key, id);
            }
        }
        return ids;
    }

    @SuppressWarnings("unchecked")
    private ID idOfEntity(R row) {
        return (ID) this.entity.getIdentifierAccessor(row).getRequiredIdentifier();
    }

    private ID requiredIdOf(String key) {
        ID id = idOf(key);
        Assert.state(id != null, () -> "The scan of " + describe() + " cannot continue after the id '" + key
                + "', which does not convert to " + this.idType.getName() + "; correct or delete that row");
        return id;
    }

    private @Nullable ID idOf(Object value) {
        try {
            return this.conversions.convert(value, this.idType);
        }
        catch (RuntimeException ex) {
            return null;
        }
    }

    private static long rowsPassed(String text, String number) {
        try {
            long passed = Long.parseLong(number);
            Assert.isTrue(passed >= 0, () -> "'" + text + "' is not a keyset position");
            return passed;
        }
        catch (NumberFormatException ex) {
            throw new IllegalArgumentException("'" + text + "' is not a keyset position", ex);
        }
    }

    /** Where a keyset scan stands: the rows passed and the key of the last id, or done. */
    private record KeysetPosition(long rowsPassed, @Nullable String lastKey, boolean done) implements SourcePosition {

        static final KeysetPosition INITIAL = new KeysetPosition(0, null, false);

        @Override
        public String text() {
            if (this.done) {
                return DONE + this.rowsPassed;
            }
            return (this.lastKey != null) ? PREFIX + this.rowsPassed + ":" + this.lastKey : START;
        }

        @Override
        public String toString() {
            return text();
        }

    }

    /** The reply of a row that does not map: its columns and why. */
    private record Unmapped(@Nullable String row, String problem) {
    }

    private record Page(List<RawEntry> entries, int rows, @Nullable String lastKey) {
    }

}
