package dev.dualwrite.core.store.scan;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLType;
import java.sql.Statement;
import java.time.DateTimeException;
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
import org.springframework.core.convert.ConversionException;
import org.springframework.core.convert.ConversionService;
import org.springframework.core.convert.support.DefaultConversionService;
import org.springframework.dao.DataAccessException;
import org.springframework.data.core.TypeInformation;
import org.springframework.data.jdbc.core.JdbcAggregateOperations;
import org.springframework.data.jdbc.core.convert.JdbcConverter;
import org.springframework.data.jdbc.core.mapping.JdbcValue;
import org.springframework.data.mapping.MappingException;
import org.springframework.data.mapping.model.MappingInstantiationException;
import org.springframework.data.relational.core.dialect.Dialect;
import org.springframework.data.relational.core.dialect.PostgresDialect;
import org.springframework.data.relational.core.dialect.RenderContextFactory;
import org.springframework.data.relational.core.mapping.RelationalPersistentEntity;
import org.springframework.data.relational.core.mapping.RelationalPersistentProperty;
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
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcOperations;
import org.springframework.jdbc.core.SingleColumnRowMapper;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionException;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.Assert;
import org.springframework.util.ClassUtils;

/**
 * Scans one Spring Data JDBC entity type of an old store kept in a relational database (a
 * SQLite file, another schema of the same PostgreSQL, ...) by primary key: each step reads
 * the next {@link ScanSettings#batchSize()} values of the id column, as the table holds them, in
 * order after the last value of the step before ({@code where id > :last order by id limit
 * :batchSize}; the first step {@code where id is not null}), then the rows of those ids through
 * the application's own {@link JdbcAggregateOperations}, so that rows map exactly as its
 * repositories map them. A scan is complete with the first step that reads fewer
 * rows than the batch size; rows inserted behind the position after that are the write path's,
 * not the scan's.
 * <p>
 * <b>Keys.</b> The key of an id is {@code String.valueOf(id)} (as the pair's
 * {@code DualRepository.keyOf}); a key converts back to an id with Spring's default
 * {@link ConversionService}. A key that is not the canonical text of an id (e.g. {@code "007"}
 * for a {@code Long} id) names no row: {@link #read} and {@link #existing} leave it out. A row
 * whose id value has no key (NULL, a value that does not convert to the id type, or one that
 * converts to an id of another text, such as {@code '007'} in a TEXT column under a {@code Long}
 * id) is a reject naming the table and why, keyed by the value's text (empty for NULL), and the
 * scan passes over it; the id pattern matches that text, and NULL ids are reported by the first
 * step of a scan of every key only.
 * <p>
 * <b>Positions.</b> The text of a position is {@code keyset:start} before the first step,
 * {@code keyset:<rows passed>:<key of the last id>} between steps (or
 * {@code keyset:raw:<rows passed>:<text>} when the last value read was not the key of an id: the
 * next step binds that text as it is), and {@code keyset:done:<rows passed>} after the last. The
 * key is everything after the {@code ':'} that follows the number, so keys that contain
 * {@code ':'} need no escaping. An empty text is the initial
 * position, as for the Redis scanners.
 * <p>
 * <b>Decoding.</b> Spring Data JDBC maps rows while it reads them, so {@link #scanPage} does
 * both: the {@link RawEntry#reply() reply} of a row is the entity already mapped, and
 * {@link #decode} only wraps it (it touches no database and is thread-safe). A page that
 * fails to map is read again row by row, so that a row that does not map (a conversion or
 * mapping failure, an unknown enum constant, a bad date) becomes a reject naming its key and the
 * exception's kind (never its values), with the row's columns as {@code column=value} lines for
 * the rejects table, and never stops the scan. Every other failure is the store's and is thrown,
 * above all any the driver reports as an {@code SQLException} (a lost connection, a time-out,
 * {@code SQLITE_BUSY}, a missing column): the caller retries the step from the same position.
 * So is a page of two or more rows that all fail to map the same way: a mapping that does not
 * fit the table, not a page of bad rows. Decoded entries carry no raw value: the row stays
 * in its table for anyone who needs it.
 * <p>
 * <b>Settings.</b> {@link ScanSettings#idPattern()} is matched in the JVM with
 * {@link KeyGlob} against the key, with every feature of Redis's {@code SCAN MATCH} glob
 * ({@code *}, {@code ?}, {@code [set]}, {@code \} escapes); pages still advance by id, so a
 * selective pattern costs as many reads as {@code "*"} and may yield empty steps. Each step,
 * {@link #read} and {@link #existing} run in one transaction of the old store limited to
 * {@link ScanSettings#timeout()}, which Spring's JDBC support applies to every statement in
 * it. On SQLite the file must be in WAL mode, checked by the constructor: in the rollback-journal
 * modes a step's read transaction would keep the application's writers from committing until it
 * ends. {@link #read} and {@link #existing} ask for at most 500 keys per statement;
 * {@code scanCount} and {@code pipelineDepth} have nothing to map to and are ignored.
 * <p>
 * {@link #size()} counts the rows ({@code count(*)}). A step from the initial position (or the
 * first of a scanner that resumes a run) estimates them for {@link SourceBatch#fraction()}, which
 * is the rows passed over that estimate, outside the step's transaction and time limit: on
 * PostgreSQL the planner's estimate ({@code pg_class.reltuples}), elsewhere {@code count(*)};
 * when that fails, or PostgreSQL has no estimate yet, fractions are 0 until the last step.
 * @param <R> the entity type
 * @param <ID> the id type
 */
public final class JdbcKeysetScanner<R, ID> implements OldStoreScanner<R, ID> {

    private static final String PREFIX = "keyset:";

    private static final String START = PREFIX + "start";

    private static final String DONE = PREFIX + "done:";

    private static final String RAW = PREFIX + "raw:";

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

    // PostgreSQL's planner estimate of the rows, for fractions without counting; null elsewhere.
    private final @Nullable String estimateSql;

    private final @Nullable String estimateTable;

    private final ConversionService conversions = DefaultConversionService.getSharedInstance();

    // The rows of the current run, for fractions: estimated at the start of a run, or on the
    // first step of a scanner that resumes one (see estimateRows); -1 until then. Two runs at once on one scanner
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
     * @throws IllegalStateException when the database cannot be reached, or is a SQLite file
     * not in WAL mode
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
        requireWalOnSqlite(jdbc, this.entity.getQualifiedTableName().toString());
        boolean postgres = dialect instanceof PostgresDialect;
        this.estimateSql = postgres ? "select reltuples::bigint from pg_class where oid = to_regclass(?)" : null;
        this.estimateTable = postgres ? this.entity.getQualifiedTableName().toSql(dialect.getIdentifierProcessing())
                : null;
    }

    // A step reads in one transaction (its time limit spans its statements). In SQLite's
    // rollback-journal modes a reading transaction holds a SHARED lock until it ends, which keeps
    // the live application's writers from committing; in WAL mode readers block no writer. WAL is
    // a property of the file (set once with "pragma journal_mode=wal"), so it is checked here
    // rather than set behind the application's back.
    private static void requireWalOnSqlite(JdbcOperations jdbc, String table) {
        String mode;
        try {
            mode = jdbc.execute((ConnectionCallback<@Nullable String>) (connection) -> {
                if (!"SQLite".equalsIgnoreCase(connection.getMetaData().getDatabaseProductName())) {
                    return null;
                }
                try (Statement statement = connection.createStatement();
                        ResultSet result = statement.executeQuery("pragma journal_mode")) {
                    return result.next() ? result.getString(1) : "unknown";
                }
            });
        }
        catch (DataAccessException ex) {
            throw new IllegalStateException("JdbcKeysetScanner could not read which database holds the old store's "
                    + "table " + table + ": " + ex.getMessage() + "; check that the old store's database is reachable",
                    ex);
        }
        if (mode != null && !"wal".equalsIgnoreCase(mode)) {
            throw new IllegalStateException("The SQLite file of the old store's table " + table + " is in journal_mode "
                    + mode + ": a scan step's read transaction would block the application's commits until it ends. "
                    + "Switch the file to WAL once (pragma journal_mode=wal, which the file keeps) before scanning it");
        }
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
            return new KeysetPosition(rowsPassed(text, text.substring(DONE.length())), null, true, false);
        }
        boolean raw = text.startsWith(RAW);
        String rest = text.substring(raw ? RAW.length() : PREFIX.length());
        int colon = rest.indexOf(':');
        Assert.isTrue(colon > 0, () -> "'" + text + "' is not a keyset position");
        String key = rest.substring(colon + 1);
        // A canonical key must be one of this id type (else it is another repository's
        // checkpoint); a raw one must not be, or it would have been written canonical.
        Assert.isTrue(raw != isCanonical(key), () -> "The key in '" + text + "' is not "
                + (raw ? "a raw id text" : "the text of a " + this.idType.getName()));
        return new KeysetPosition(rowsPassed(text, rest.substring(0, colon)), key, false, raw);
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
        KeyGlob glob = "*".equals(settings.idPattern()) ? null : new KeyGlob(settings.idPattern());
        if (position.lastKey() == null || this.total < 0) {
            this.total = estimateRows();
        }
        return inTransaction(settings, () -> {
            Page page = page(position.lastKey(), settings.batchSize(), glob);
            long passed = position.rowsPassed() + page.rows();
            boolean complete = page.rows() < settings.batchSize() || page.lastKey() == null;
            KeysetPosition next = complete ? new KeysetPosition(passed, null, true, false)
                    : new KeysetPosition(passed, page.lastKey(), false, !isCanonical(page.lastKey()));
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

    // One page after the text of the last id column value passed: the raw ids in order with one
    // statement, then the rows of those that are the canonical text of an id, mapped by Spring Data
    // JDBC in one query (row by row when one of them does not map). The cursor is always the raw
    // value the table holds, so a row whose id does not convert, or converts to an id of another
    // text, is a reject that the scan passes over, never a position it cannot leave.
    private Page page(@Nullable String afterKey, int batchSize, @Nullable KeyGlob glob) {
        List<RawEntry> entries = new ArrayList<>();
        if (afterKey == null && glob == null) {
            // "id > ?" never matches a NULL and databases sort NULLs at either end: the first step
            // of a scan of every key reports such rows (possible in SQLite, whose primary keys may
            // be NULL unless INTEGER); a pattern matches no NULL.
            Select nulls = StatementBuilder.select(this.table.asterisk())
                .from(this.table)
                .where(this.idColumn.isNull())
                .build();
            for (Map<String, Object> row : this.jdbc.query(this.renderer.render(nulls), new ColumnMapRowMapper())) {
                entries.add(new RawEntry("", new Unmapped(columnsText(row),
                        "a row of " + tableName() + " has a NULL id: no key can address it"), null));
            }
        }
        Select select = (afterKey != null)
                ? ids().limit(batchSize).where(this.idColumn.isGreater(SQL.bindMarker())).orderBy(this.idColumn).build()
                : ids().limit(batchSize).where(this.idColumn.isNotNull()).orderBy(this.idColumn).build();
        Object[] values = (afterKey != null) ? new Object[] { cursorValue(afterKey) } : new Object[0];
        List<Object> rawIds = this.jdbc.query(this.renderer.render(select),
                SingleColumnRowMapper.newInstance(Object.class), values);
        String lastKey = null;
        List<String> order = new ArrayList<>(rawIds.size());
        Map<String, RawEntry> bad = new LinkedHashMap<>();
        Map<String, ID> good = new LinkedHashMap<>();
        for (Object rawId : rawIds) {
            String text = rawText(rawId);
            lastKey = text;
            ID id = idOf(rawId);
            if (glob != null && !glob.matches(text)) {
                continue;
            }
            if (id == null) {
                order.add(text);
                bad.put(text, new RawEntry(text, new Unmapped(columnsOfRaw(rawId), "the id column of " + tableName()
                        + " holds a value that does not convert to " + this.idType.getName()), null));
            }
            else if (!keyOf(id).equals(text)) {
                // E.g. '007' in a TEXT column of a Long id: its key "7" would name no row (read and
                // existing bind 7, which SQLite compares as text), so copying it would be undone.
                order.add(text);
                bad.put(text, new RawEntry(text, new Unmapped(columnsOfRaw(rawId), "the id '" + text + "' of "
                        + tableName() + " is not the text of the " + this.idType.getSimpleName() + " it maps to ('"
                        + keyOf(id) + "'): no key can address the row"), null));
            }
            else {
                order.add(text);
                good.put(text, id);
            }
        }
        Map<String, RawEntry> mapped = new LinkedHashMap<>();
        for (RawEntry entry : rowsById(new ArrayList<>(good.values()))) {
            mapped.put(entry.redisKey(), entry);
        }
        requireSomeRowMaps(mapped.values());
        for (String key : order) {
            RawEntry entry = bad.containsKey(key) ? bad.get(key) : mapped.get(key);
            // Absent: deleted since its id was read, left out as a vanished Redis key is.
            if (entry != null) {
                entries.add(entry);
            }
        }
        return new Page(entries, rawIds.size(), lastKey);
    }

    // Every row of a page failing to map the same way is not a page of bad rows but a mapping that
    // does not fit the table (a renamed enum constant, a column of another type): thrown, so that
    // the run stops rather than setting a whole table aside.
    private void requireSomeRowMaps(Collection<RawEntry> entries) {
        if (entries.size() < 2) {
            return;
        }
        Set<String> problems = new LinkedHashSet<>();
        for (RawEntry entry : entries) {
            if (!(entry.reply() instanceof Unmapped unmapped)) {
                return;
            }
            problems.add(unmapped.problem());
        }
        if (problems.size() == 1) {
            throw new IllegalStateException("None of the " + entries.size() + " rows of a page of " + describe()
                    + " maps: " + problems.iterator().next() + "; the mapping does not fit the table");
        }
    }

    // Rows of some ids, mapped in one query, or row by row when one of them does not map.
    private List<RawEntry> rowsById(List<ID> ids) {
        try {
            if (ids.isEmpty()) {
                return List.of();
            }
            List<R> rows = this.aggregates.findAllById(ids, this.entityType);
            List<RawEntry> entries = new ArrayList<>(rows.size());
            for (R row : rows) {
                entries.add(new RawEntry(keyOf(idOfEntity(row)), row, null));
            }
            return entries;
        }
        catch (RuntimeException ex) {
            if (!isMappingFailure(ex)) {
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
            if (!isMappingFailure(ex)) {
                throw ex;
            }
            // Conversion messages quote values, which may be personal data: name the kind only.
            String problem = "the row does not map to " + this.entityType.getName() + " ("
                    + NestedExceptionUtils.getMostSpecificCause(ex).getClass().getSimpleName() + ")";
            return new RawEntry(key, new Unmapped(columnsOfRaw(jdbcValue(id)), problem), null);
        }
    }

    // The row as the table holds it, for the rejects table; null when it is gone. A failure to
    // read it is the store's, and thrown.
    private @Nullable String columnsOfRaw(Object rawId) {
        List<Map<String, Object>> rows = this.jdbc.query(this.rowSql, new ColumnMapRowMapper(), rawId);
        return rows.isEmpty() ? null : columnsText(rows.get(0));
    }

    private static String columnsText(Map<String, Object> row) {
        StringBuilder text = new StringBuilder();
        row.forEach((column, value) -> {
            if (!text.isEmpty()) {
                text.append('\n');
            }
            text.append(column).append('=').append((value instanceof byte[] bytes)
                    ? "0x" + HexFormat.of().formatHex(bytes) : String.valueOf(value));
        });
        return text.toString();
    }

    // Only what is known to be a row that does not map to the entity is set aside; everything
    // else, and above all every failure the driver reported (an SQLException: SQLite's carry no
    // SQLState, so Spring cannot tell SQLITE_BUSY or "no such column" from anything else), is
    // the store's, thrown for the caller to retry or to stop on.
    private static boolean isMappingFailure(RuntimeException ex) {
        if (ex instanceof TransactionException) {
            return false;
        }
        for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException) {
                return false;
            }
        }
        for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConversionException || cause instanceof MappingException
                    || cause instanceof MappingInstantiationException || cause instanceof DateTimeException
                    || cause instanceof IllegalArgumentException || cause instanceof ClassCastException
                    || cause instanceof ArithmeticException) {
                return true;
            }
        }
        return false;
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

    // The rows for fractions, outside the step's transaction and its time limit (count(*) of a
    // 100M-row table takes longer than any step may): PostgreSQL's estimate (reltuples, -1 before
    // the table's first ANALYZE), count(*) elsewhere; 0 (no fraction) when it fails, since a
    // progress estimate is no reason to fail a step.
    private long estimateRows() {
        try {
            if (this.estimateSql != null) {
                Long estimate = this.jdbc.queryForObject(this.estimateSql, Long.class, this.estimateTable);
                return (estimate != null && estimate > 0) ? estimate : 0;
            }
            return this.aggregates.count(this.entityType);
        }
        catch (RuntimeException ex) {
            return 0;
        }
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

    // What "id > ?" binds for the text of the last raw id: the id it is the canonical text of, as
    // every statement binds ids; else the text itself (a TEXT column holding '007' or 'x' under a
    // numeric id: the database compares it with the column as it sorted it).
    private Object cursorValue(String key) {
        ID id = idOf(key);
        return (id != null && keyOf(id).equals(key)) ? jdbcValue(id) : key;
    }

    private boolean isCanonical(String key) {
        ID id = idOf(key);
        return id != null && keyOf(id).equals(key);
    }

    private static String rawText(Object rawId) {
        return (rawId instanceof byte[] bytes) ? "0x" + HexFormat.of().formatHex(bytes) : String.valueOf(rawId);
    }

    private String tableName() {
        return this.entity.getQualifiedTableName().toString();
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
    private record KeysetPosition(long rowsPassed, @Nullable String lastKey, boolean done, boolean raw) implements SourcePosition {

        static final KeysetPosition INITIAL = new KeysetPosition(0, null, false, false);

        @Override
        public String text() {
            if (this.done) {
                return DONE + this.rowsPassed;
            }
            if (this.lastKey == null) {
                return START;
            }
            return (this.raw ? RAW : PREFIX) + this.rowsPassed + ":" + this.lastKey;
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
