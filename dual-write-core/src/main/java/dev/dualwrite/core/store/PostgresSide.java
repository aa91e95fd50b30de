package dev.dualwrite.core.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.data.jdbc.core.JdbcAggregateOperations;
import org.springframework.data.jdbc.core.convert.JdbcConverter;
import org.springframework.data.relational.core.conversion.AggregateChange;
import org.springframework.data.relational.core.conversion.MutableAggregateChange;
import org.springframework.data.relational.core.dialect.PostgresDialect;
import org.springframework.data.relational.core.mapping.RelationalMappingContext;
import org.springframework.data.relational.core.mapping.RelationalPersistentEntity;
import org.springframework.data.relational.core.mapping.event.AfterSaveEvent;
import org.springframework.data.relational.core.mapping.event.BeforeConvertEvent;
import org.springframework.data.relational.core.mapping.event.BeforeSaveEvent;
import org.springframework.data.relational.core.sql.IdentifierProcessing;
import org.springframework.jdbc.core.JdbcOperations;
import org.springframework.jdbc.core.PreparedStatementCallback;
import org.springframework.jdbc.core.SqlTypeValue;
import org.springframework.jdbc.core.StatementCreatorUtils;
import org.springframework.jdbc.datasource.ConnectionHolder;
import org.springframework.jdbc.support.JdbcAccessor;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionOperations;
import org.springframework.util.Assert;

/**
 * Key-level access to one repository's PostgreSQL table through Spring Data JDBC, with
 * upserts that work whether or not the row exists and a per-key critical section.
 * <p>
 * Every library write to a key runs inside {@link #inKeyLock}: a transaction holding a
 * PostgreSQL advisory lock on a hash of the repository and key. Writers of one key are so
 * serialised across all instances, which is what makes secondary writes converge: the last
 * critical section to run copies the final state.
 * @param <P> the PostgreSQL entity type
 * @param <ID> the id type
 */
public final class PostgresSide<P, ID> {

    // The lock of a key is this hash of its lock name; every writer of a key must take it.
    private static final String LOCK_OF_NAME = "hashtextextended(%s, 0)";

    private static final Logger logger = LoggerFactory.getLogger(PostgresSide.class);

    // An abort is expected now and then (a long lock wait); one WARN says what it means.
    private static final AtomicBoolean firstAbort = new AtomicBoolean();

    /**
     * The SQL expression that takes the advisory lock of one key in the current transaction,
     * with one parameter: the key's {@link #lockName lock name}. For a statement that takes the
     * lock and does more in the same round trip (see {@link #inKeyLock(String, Consumer, Supplier)}).
     */
    public static final String LOCK_EXPRESSION = "pg_advisory_xact_lock(" + LOCK_OF_NAME.formatted("?") + ")";

    private static final String LOCK_SQL = "select " + LOCK_EXPRESSION;

    private static final LockStatement LOCK_ONLY = new LockStatement(LOCK_SQL, List.of());

    /**
     * The statement that takes the locks of many keys at once in the current transaction, for
     * code that writes in bulk (the backfill): one parameter, a {@code text[]} of
     * {@link #lockName lock names}. It takes them in a fixed order, so that two such
     * statements never deadlock.
     */
    public static final String LOCK_ALL_SQL = "select count(pg_advisory_xact_lock(h)) from (select "
            + LOCK_OF_NAME.formatted("k") + " as h from unnest(?::text[]) as k order by 1) as locks";

    private final String repository;

    private final Class<P> entityType;

    private final JdbcAggregateOperations aggregates;

    private final JdbcOperations jdbc;

    private final TransactionOperations transactions;

    private final RelationalPersistentEntity<?> persistentEntity;

    private final JdbcConverter converter;

    // Null when Spring Data JDBC must write the entity (see RowUpsert.of).
    private final @Nullable RowUpsert rowUpsert;

    private final @Nullable ApplicationEventPublisher events;

    // The lock statements joined with the row's upsert, by lock statement: one or two.
    private final Map<String, String> lockedUpserts = new ConcurrentHashMap<>();

    private final String firstIdsSql;

    private final String nextIdsSql;

    private final Class<?> idColumnType;

    private final boolean singleStatementUpsert;

    /**
     * Create the side of an application without Spring Data entity callbacks.
     * @param repository the repository name
     * @param entityType the row type
     * @param aggregates the application's Spring Data JDBC operations
     * @param mappingContext its mapping
     * @param jdbc PostgreSQL
     * @param transactions transactions on the same data source
     */
    public PostgresSide(String repository, Class<P> entityType, JdbcAggregateOperations aggregates,
            RelationalMappingContext mappingContext, JdbcOperations jdbc, TransactionOperations transactions) {
        this(repository, entityType, aggregates, mappingContext, jdbc, transactions, false, null);
    }

    /**
     * @param repository the repository name
     * @param entityType the row type
     * @param aggregates the application's Spring Data JDBC operations
     * @param mappingContext its mapping
     * @param jdbc PostgreSQL
     * @param transactions transactions on the same data source
     * @param entityCallbacks whether the application declares Spring Data entity callbacks for
     * the row type (auditing, a {@code BeforeSaveCallback}, ...): only Spring Data JDBC's own
     * writes run them, so every row is then written through it, at one round trip more per
     * primary save
     * @param events where the lifecycle events of a primary save written by the library's own
     * statement are published, as Spring Data JDBC publishes them ({@code BeforeConvertEvent},
     * {@code BeforeSaveEvent}, {@code AfterSaveEvent}); {@code null} for none
     */
    public PostgresSide(String repository, Class<P> entityType, JdbcAggregateOperations aggregates,
            RelationalMappingContext mappingContext, JdbcOperations jdbc, TransactionOperations transactions,
            boolean entityCallbacks, @Nullable ApplicationEventPublisher events) {
        Assert.hasText(repository, "repository must not be empty");
        Assert.notNull(entityType, "entityType must not be null");
        Assert.notNull(aggregates, "aggregates must not be null");
        Assert.notNull(jdbc, "jdbc must not be null");
        Assert.notNull(transactions, "transactions must not be null");
        this.repository = repository;
        this.entityType = entityType;
        this.aggregates = aggregates;
        this.jdbc = jdbc;
        this.transactions = transactions;
        RelationalPersistentEntity<?> relational = mappingContext.getRequiredPersistentEntity(entityType);
        this.persistentEntity = relational;
        // Keyset pages of ids, from the mapping with quoted identifiers (no user input in it).
        IdentifierProcessing quoting = PostgresDialect.INSTANCE.getIdentifierProcessing();
        String table = relational.getQualifiedTableName().toSql(quoting);
        String id = relational.getRequiredIdProperty().getColumnName().toSql(quoting);
        this.firstIdsSql = "select " + id + " from " + table + " order by " + id + " limit ?";
        this.nextIdsSql = "select " + id + " from " + table + " where " + id + " > ? order by " + id + " limit ?";
        this.idColumnType = relational.getRequiredIdProperty().getActualType();
        this.singleStatementUpsert = !relational.hasVersionProperty();
        this.converter = aggregates.getConverter();
        this.rowUpsert = entityCallbacks ? null : RowUpsert.of(relational, this.converter, quoting);
        this.events = events;
    }

    /**
     * Run {@code work} in a transaction that holds the advisory lock of {@code key}. Inside a
     * caller's transaction on the same DataSource the work joins it, and the lock is held
     * until that transaction ends; a time limit then never aborts its connection (see
     * {@link AbortScope}): only a transaction started here is abortable.
     * @param key the entity key, as used in repair records; {@code null} for a row whose
     * id the database is about to generate, which nobody else can be writing
     * @param work what to do while holding the lock
     * @param <T> the result type
     * @return what {@code work} returned
     */
    public <T> T inKeyLock(@Nullable String key, Supplier<T> work) {
        return inKeyLock(key, (lockName) -> this.jdbc.queryForList(LOCK_SQL, lockName), work);
    }

    /**
     * Run {@code work} in a transaction whose first statement, run by {@code lock}, takes the
     * advisory lock of {@code key} ({@link #LOCK_EXPRESSION}) and may do more in the same
     * round trip, such as opening the key's repair record. Whatever that statement reads sees
     * the database as of its start, before the lock was granted: only {@code work} is sure to
     * see every write of the key made under the lock before.
     * @param key the entity key, as used in repair records; {@code null} for a row whose
     * id the database is about to generate, which nobody else can be writing ({@code lock} is
     * then not called)
     * @param lock runs the statement that takes the lock, given the key's {@link #lockName lock name}
     * @param work what to do while holding the lock
     * @param <T> the result type
     * @return what {@code work} returned
     */
    public <T> T inKeyLock(@Nullable String key, Consumer<String> lock, Supplier<T> work) {
        return this.transactions.execute((status) -> {
            if (status.isNewTransaction()) {
                abortableUnderWatchdog();
            }
            if (key != null) {
                lock.accept(lockName(key));
            }
            return work.get();
        });
    }

    /**
     * Write {@code entity} holding the advisory lock of {@code key}, in a transaction whose
     * first statement, {@code lock}, takes the lock and may do more (such as opening the key's
     * repair record). For an entity Spring Data JDBC's upsert is not needed for (no version,
     * embedded object or reference: see {@link #upsert}), the two statements go to the server
     * together, in one round trip: the upsert runs once the lock statement has finished, so it
     * writes under the lock and sees every write of the key made under the lock before, as
     * {@link #inKeyLock(String, Consumer, Supplier)} followed by {@link #upsert} would; only
     * the round trip between them is saved. Otherwise it is exactly that.
     * @param key the entity key, as used in repair records
     * @param lock the statement that takes the lock
     * @param entity the entity to write, with its id
     * @return the written entity
     */
    public P upsertInKeyLock(String key, LockStatement lock, P entity) {
        Assert.notNull(key, "key must not be null");
        Assert.notNull(lock, "lock must not be null");
        return upsertInKeyLock(key, lock, entity, true);
    }

    /**
     * Copy a row from the other store holding the advisory lock of {@code key}: as
     * {@link #upsertInKeyLock} with a statement that only takes the lock, so in one round trip
     * where the library writes the rows itself, and without the lifecycle events of the
     * application's own saves (a copy is not one).
     * @param key the entity key, as used in repair records
     * @param entity the row to write, with its id
     * @return the written row
     */
    public P copyInKeyLock(String key, P entity) {
        Assert.notNull(key, "key must not be null");
        return upsertInKeyLock(key, LOCK_ONLY, entity, false);
    }

    private P upsertInKeyLock(String key, LockStatement lock, P entity, boolean primary) {
        RowUpsert upsert = this.rowUpsert;
        if (upsert == null || idOf(entity) == null) {
            return inKeyLock(key, (lockName) -> execute(lock.sql(), lock.withLockName(lockName)),
                    () -> upsert(entity, primary));
        }
        // Converted before the transaction: a value the converter refuses fails the write
        // before anything was sent.
        RowUpsert.Values values = upsert.values(entity, this.persistentEntity, this.converter);
        // pgjdbc sends the statements of one prepared statement together, with one Sync: the
        // server runs them in order, each with a snapshot taken after the one before ended.
        String sql = this.lockedUpserts.computeIfAbsent(lock.sql(), (lockSql) -> lockSql + ";\n" + upsert.sql());
        Object[] lockArguments = lock.withLockName(lockName(key));
        return this.transactions.execute((status) -> {
            if (status.isNewTransaction()) {
                abortableUnderWatchdog();
            }
            AggregateChange<P> change = primary ? beforeSave(entity) : null;
            this.jdbc.execute(sql, (PreparedStatementCallback<Boolean>) (statement) -> {
                bind(statement, lockArguments);
                values.bind(statement, lockArguments.length + 1);
                return statement.execute();
            });
            afterSave(entity, change);
            return entity;
        });
    }

    // Runs a statement whether it returns rows (a select that takes a lock) or not (an insert).
    private void execute(String sql, Object[] arguments) {
        this.jdbc.execute(sql, (PreparedStatementCallback<Boolean>) (statement) -> {
            bind(statement, arguments);
            return statement.execute();
        });
    }

    private static void bind(PreparedStatement statement, Object[] arguments) throws SQLException {
        for (int i = 0; i < arguments.length; i++) {
            StatementCreatorUtils.setParameterValue(statement, i + 1, SqlTypeValue.TYPE_UNKNOWN, arguments[i]);
        }
    }

    // The events Spring Data JDBC publishes around a save, for a primary save written by the
    // library's own statement: the application's listeners see its own saves as before.
    private @Nullable AggregateChange<P> beforeSave(P entity) {
        if (this.events == null) {
            return null;
        }
        this.events.publishEvent(new BeforeConvertEvent<>(entity));
        AggregateChange<P> change = MutableAggregateChange.forSave(entity);
        this.events.publishEvent(new BeforeSaveEvent<>(entity, change));
        return change;
    }

    private void afterSave(P entity, @Nullable AggregateChange<P> change) {
        if (this.events != null && change != null) {
            this.events.publishEvent(new AfterSaveEvent<>(entity, change));
        }
    }

    // Time-limited work (a secondary write, a repair) may block on this transaction's
    // connection: on a silent server a JDBC socket read ignores interrupts, so the watchdog
    // must be able to abort the connection. Only a transaction started here qualifies (the
    // caller checks): a joined one is the caller's, and aborting it would destroy all of the
    // caller's work. The registration lasts until the transaction has completed, before the
    // connection goes back to its pool.
    private void abortableUnderWatchdog() {
        if (!AbortScope.isOpen() || !TransactionSynchronizationManager.isSynchronizationActive()) {
            return;
        }
        Connection connection = transactionConnection();
        if (connection == null) {
            return;
        }
        AbortScope.Registration registration = AbortScope.onAbort(() -> abort(connection));
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCompletion(int status) {
                registration.remove();
            }
        });
    }

    // The connection is abortable only while it surely stays this transaction's until after
    // afterCompletion. A resource transaction manager (DataSourceTransactionManager, JPA's)
    // binds it to the thread at begin, before any statement, and releases it in its cleanup,
    // after the synchronizations. Under JTA or another manager nothing is bound yet here: the
    // connection is bound on first use and released by its own synchronization, possibly
    // before ours takes the abort back, so an abort could hit a connection already reused.
    private @Nullable Connection transactionConnection() {
        DataSource dataSource = (this.jdbc instanceof JdbcAccessor accessor) ? accessor.getDataSource() : null;
        if (dataSource == null
                || !(TransactionSynchronizationManager.getResource(dataSource) instanceof ConnectionHolder holder)
                || !holder.isSynchronizedWithTransaction() || holder.getConnectionHandle() == null) {
            return null;
        }
        return holder.getConnection();
    }

    private static void abort(Connection connection) {
        if (firstAbort.compareAndSet(false, true)) {
            logger.warn("dual-write: aborted the PostgreSQL connection of a secondary write or repair that was still "
                    + "running at the secondary time limit (a silent server, or a wait for a key's lock); its "
                    + "transaction rolls back and the pool replaces the connection. Spring may log 'Application "
                    + "exception overridden by rollback exception' for it. Further aborts are logged at DEBUG.");
        }
        else {
            logger.debug("dual-write: aborted the PostgreSQL connection of work past the secondary time limit");
        }
        try {
            // Closes the socket at once: the blocked read fails, the pool evicts the connection
            // and the server rolls the transaction back, releasing the key's lock.
            connection.abort(Runnable::run);
        }
        catch (SQLException ex) {
            throw new IllegalStateException("Could not abort a hung PostgreSQL connection", ex);
        }
    }

    /**
     * Return the name whose hash is the advisory lock of a key, for code that takes the same
     * lock in bulk (the backfill, with {@link #LOCK_ALL_SQL}).
     * @param key the entity key
     * @return {@code <repository>:<key>}
     */
    public String lockName(String key) {
        return this.repository + ":" + key;
    }

    public Optional<P> load(ID id) {
        return Optional.ofNullable(this.aggregates.findById(id, this.entityType));
    }

    /**
     * Insert the entity when its row is missing, update it otherwise: one statement
     * ({@code insert ... on conflict do update}) for an entity with an id. Must run inside
     * {@link #inKeyLock} for an entity with an id, so that writes of the key stay serialised.
     * A flat entity with an id (no version, embedded object or reference) is written with a
     * statement rendered once from the mapping and values converted by the application's
     * converter, without Spring Data JDBC's entity callbacks and events, as the backfill
     * writes rows; any other through Spring Data JDBC.
     * @param entity the entity to write
     * @return the written entity (with its generated id, if any)
     */
    public P upsert(P entity) {
        return upsert(entity, false);
    }

    /**
     * Return whether rows are written by the library's own statement, rendered once from the
     * mapping (a flat entity, and no entity callback of the row type), rather than by Spring
     * Data JDBC: a primary save then takes one round trip less.
     * @return whether the library writes the rows itself
     */
    public boolean writesRowsItself() {
        return this.rowUpsert != null;
    }

    /**
     * Write the application's own save of an entity, as {@link #upsert} does, publishing
     * Spring Data JDBC's lifecycle events when the library's own statement writes it (Spring
     * Data JDBC publishes them otherwise).
     * @param entity the entity to write
     * @return the written entity (with its generated id, if any)
     */
    public P save(P entity) {
        return upsert(entity, true);
    }

    private P upsert(P entity, boolean primary) {
        Object id = idOf(entity);
        if (id == null) {
            return this.aggregates.insert(entity);
        }
        RowUpsert upsert = this.rowUpsert;
        if (upsert != null) {
            AggregateChange<P> change = primary ? beforeSave(entity) : null;
            RowUpsert.Values values = upsert.values(entity, this.persistentEntity, this.converter);
            this.jdbc.execute(upsert.sql(), (PreparedStatementCallback<Integer>) (statement) -> {
                values.bind(statement, 1);
                return statement.executeUpdate();
            });
            afterSave(entity, change);
            return entity;
        }
        if (this.singleStatementUpsert) {
            return this.aggregates.upsert(entity);
        }
        // A versioned entity keeps Spring Data's optimistic check of update; the lock keeps
        // the check and the write race-free. (A 0-row update is no error in Spring Data JDBC
        // 4.1, so trying the update first could silently lose an insert.)
        if (this.aggregates.existsById(id, this.entityType)) {
            return this.aggregates.update(entity);
        }
        return this.aggregates.insert(entity);
    }

    public void delete(ID id) {
        // deleteById of a missing row is a no-op in Spring Data JDBC: deletes stay idempotent.
        this.aggregates.deleteById(id, this.entityType);
    }

    /**
     * Return the next page of ids in id order (keyset pagination: each page costs one index
     * range scan, however deep into the table).
     * @param after the last id of the previous page, or {@code null} for the first page
     * @param limit the page size
     * @return up to {@code limit} ids greater than {@code after}
     */
    @SuppressWarnings("unchecked")
    public List<ID> idsAfter(@Nullable ID after, int limit) {
        return (after == null) ? (List<ID>) this.jdbc.queryForList(this.firstIdsSql, this.idColumnType, limit)
                : (List<ID>) this.jdbc.queryForList(this.nextIdsSql, this.idColumnType, after, limit);
    }

    /**
     * Load the rows of some ids with one query.
     * @param ids the ids
     * @return the rows that exist, in no particular order
     */
    public List<P> loadAll(Iterable<ID> ids) {
        return this.aggregates.findAllById(ids, this.entityType);
    }

    /**
     * Count the rows of the table.
     * @return the number of rows
     */
    public long count() {
        return this.aggregates.count(this.entityType);
    }

    public Iterable<P> findAll() {
        return this.aggregates.findAll(this.entityType);
    }

    public @Nullable Object idOf(P entity) {
        return this.persistentEntity.getIdentifierAccessor(entity).getIdentifier();
    }

    public Class<P> entityType() {
        return this.entityType;
    }

    /**
     * A statement that takes the advisory lock of one key ({@link #LOCK_EXPRESSION}, whose
     * parameter, the key's {@link #lockName lock name}, is the statement's first) and may do
     * more in the same statement, such as opening the key's repair record.
     * @param sql the statement
     * @param arguments the values of its parameters after the lock name
     */
    public record LockStatement(String sql, List<Object> arguments) {

        public LockStatement {
            Assert.hasText(sql, "sql must not be empty");
            arguments = List.copyOf(arguments);
        }

        /**
         * Return the statement's parameter values.
         * @param lockName the key's lock name
         * @return the lock name, then {@link #arguments}
         */
        public Object[] withLockName(String lockName) {
            Object[] values = new Object[this.arguments.size() + 1];
            values[0] = lockName;
            for (int i = 0; i < this.arguments.size(); i++) {
                values[i + 1] = this.arguments.get(i);
            }
            return values;
        }

    }

}
