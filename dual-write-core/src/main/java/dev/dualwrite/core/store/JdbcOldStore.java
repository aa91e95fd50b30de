package dev.dualwrite.core.store;

import java.sql.DatabaseMetaData;
import java.util.List;
import java.util.Locale;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;

import org.springframework.core.convert.support.DefaultConversionService;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.IncorrectUpdateSemanticsDataAccessException;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.data.core.TypeInformation;
import org.springframework.data.jdbc.core.JdbcAggregateOperations;
import org.springframework.data.jdbc.core.JdbcAggregateTemplate;
import org.springframework.data.jdbc.core.convert.DataAccessStrategy;
import org.springframework.data.jdbc.core.convert.DelegatingDataAccessStrategy;
import org.springframework.data.jdbc.core.convert.JdbcConverter;
import org.springframework.data.jdbc.core.convert.JdbcCustomConversions;
import org.springframework.data.jdbc.core.convert.QueryMappingConfiguration;
import org.springframework.data.jdbc.core.dialect.JdbcDialect;
import org.springframework.data.jdbc.core.mapping.JdbcMappingContext;
import org.springframework.data.jdbc.repository.config.JdbcConfiguration;
import org.springframework.data.mapping.PersistentEntity;
import org.springframework.data.mapping.PersistentPropertyAccessor;
import org.springframework.data.relational.RelationalManagedTypes;
import org.springframework.data.relational.core.mapping.DefaultNamingStrategy;
import org.springframework.data.relational.core.mapping.RelationalPersistentEntity;
import org.springframework.data.relational.core.mapping.RelationalPersistentProperty;
import org.springframework.data.relational.core.sql.IdentifierProcessing;
import org.springframework.data.repository.CrudRepository;
import org.springframework.data.repository.core.EntityInformation;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcOperations;
import org.springframework.jdbc.core.PreparedStatementCallback;
import org.springframework.jdbc.core.SingleColumnRowMapper;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.support.JdbcAccessor;
import org.springframework.transaction.support.TransactionOperations;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.util.Assert;

/**
 * The {@link OldStore} of a Spring Data JDBC repository whose table is the data's old home: a
 * table on another {@code DataSource} (SQLite, for one) or in another schema of the new
 * PostgreSQL. It works through the undecorated repository and the old store's own Spring Data
 * JDBC set-up (its mapping, converter and dialect), never the new store's, so rows are written
 * as the application's repository writes them.
 * <p>
 * {@link #save} is the repository's save, with Spring Data JDBC's semantics (an entity that is
 * not new is updated). {@link #upsert} writes the row whether or not it exists: for a flat
 * entity on PostgreSQL or SQLite 3.24 and later, with one {@code insert ... on conflict (id) do
 * update} statement rendered once from the old store's mapping, whose values the old store's
 * converter converts as Spring Data JDBC's insert converts them; for any other entity (a
 * version, an embedded object, a reference) or database, through Spring Data JDBC, with an
 * update when the row exists and an insert otherwise, in one transaction. Never a plain save: a
 * save of an entity whose id is set updates, and the update of a missing row writes nothing.
 * The single statement, like every copy the library writes, runs no Spring Data entity
 * callbacks or events: a copy is not one of the application's writes. It needs a primary key
 * or unique index on the id column, as {@code on conflict (id)} does.
 * @param <R> the old store's entity type
 * @param <ID> the id type
 */
public final class JdbcOldStore<R, ID> extends RepositoryOldStore<R, ID> {

    // The release that added PostgreSQL's upsert clause to SQLite.
    private static final List<Integer> SQLITE_UPSERT = List.of(3, 24);

    private final JdbcAggregateOperations aggregates;

    private final TransactionOperations transactions;

    private final JdbcOperations jdbc;

    private final @Nullable DataSource dataSource;

    private final RelationalPersistentEntity<?> persistentEntity;

    private final JdbcConverter converter;

    // Null when Spring Data JDBC writes the copies (see RowUpsert.of and the database check).
    private final @Nullable RowUpsert rowUpsert;

    private final String description;

    // "select <version> from <table> where <id> = ?" for a versioned entity, else null.
    private final @Nullable String versionSql;

    /**
     * Build Spring Data JDBC operations of their own over an old database, as an application
     * wires a second {@code DataSource}: a mapping context, converter and data access strategy
     * from Spring Data JDBC's own factories ({@link JdbcConfiguration}), with the database's
     * dialect and its conversions, default naming, and no application events or callbacks.
     * Their repositories name the result as {@code jdbcAggregateOperationsRef}.
     * @param dataSource the old database
     * @param dialect its dialect (for SQLite, {@link SqliteDialect#INSTANCE})
     * @return the old database's operations
     */
    public static JdbcAggregateTemplate aggregates(DataSource dataSource, JdbcDialect dialect) {
        Assert.notNull(dataSource, "dataSource must not be null");
        Assert.notNull(dialect, "dialect must not be null");
        JdbcCustomConversions conversions = JdbcConfiguration.createCustomConversions(dialect, List.of());
        JdbcMappingContext mappingContext = JdbcConfiguration.createMappingContext(RelationalManagedTypes.empty(),
                conversions, DefaultNamingStrategy.INSTANCE);
        NamedParameterJdbcTemplate jdbc = new NamedParameterJdbcTemplate(dataSource);
        // Relations are read through the strategy, which needs the converter first.
        DelegatingDataAccessStrategy relations = new DelegatingDataAccessStrategy();
        JdbcConverter converter = JdbcConfiguration.createConverter(mappingContext, jdbc, relations, conversions,
                dialect);
        DataAccessStrategy access = JdbcConfiguration.createDataAccessStrategy(jdbc, converter,
                QueryMappingConfiguration.EMPTY, dialect);
        relations.setDelegate(access);
        return new JdbcAggregateTemplate(converter, access);
    }

    /**
     * Wrap the repository of an old store's table; reads the database's product name (one
     * connection) to tell whether the single-statement upsert applies.
     * @param repository the undecorated repository implementation
     * @param entityInformation the repository's entity metadata, used to read ids
     * @param aggregates the old store's Spring Data JDBC operations (its mapping, converter,
     * dialect and {@code DataSource}), the ones the repository writes through
     * @param transactions transactions on the old store's {@code DataSource}, the one
     * {@code aggregates} writes to
     * @throws IllegalStateException when the old store's database cannot be reached to tell
     * which it is
     */
    public JdbcOldStore(CrudRepository<R, ID> repository, EntityInformation<R, ID> entityInformation,
            JdbcAggregateOperations aggregates, TransactionOperations transactions) {
        super(repository, entityInformation);
        Assert.notNull(aggregates, "aggregates must not be null");
        Assert.notNull(transactions, "transactions must not be null");
        this.aggregates = aggregates;
        this.transactions = transactions;
        this.converter = aggregates.getConverter();
        this.persistentEntity = this.converter.getMappingContext()
            .getRequiredPersistentEntity(entityInformation.getJavaType());
        DataAccessStrategy access = aggregates.getDataAccessStrategy();
        this.jdbc = access.getJdbcOperations().getJdbcOperations();
        // The database a caller's transaction binds its connection to; unknown (never joined)
        // when the operations are not a JdbcTemplate.
        this.dataSource = (this.jdbc instanceof JdbcAccessor accessor) ? accessor.getDataSource() : null;
        // The old store's quoting, as its repository's own statements quote: never the new
        // store's, whose mapping may differ.
        IdentifierProcessing quoting = access.getDialect().getIdentifierProcessing();
        String table = this.persistentEntity.getQualifiedTableName().toSql(quoting);
        String product = productOf(this.jdbc, table);
        this.rowUpsert = upsertsOnConflict(product) ? RowUpsert.of(this.persistentEntity, this.converter, quoting)
                : null;
        this.description = "table " + table + " (" + product.split(" ", 2)[0] + ")";
        RelationalPersistentProperty version = this.persistentEntity.getVersionProperty();
        this.versionSql = (version != null) ? "select " + version.getColumnName().toSql(quoting) + " from " + table
                + " where " + this.persistentEntity.getRequiredIdProperty().getColumnName().toSql(quoting) + " = ?"
                : null;
    }

    // The product name and version, as the driver reports them ("SQLite 3.53.0").
    private static String productOf(JdbcOperations jdbc, String table) {
        try {
            String product = jdbc.execute((ConnectionCallback<String>) (connection) -> {
                DatabaseMetaData metaData = connection.getMetaData();
                return metaData.getDatabaseProductName() + " " + metaData.getDatabaseProductVersion();
            });
            Assert.state(product != null, "no product name");
            return product;
        }
        catch (DataAccessException ex) {
            throw new IllegalStateException("JdbcOldStore could not read which database holds the old store's table "
                    + table + ": " + ex.getMessage() + "; check that the old store's database is reachable", ex);
        }
    }

    private static boolean upsertsOnConflict(String product) {
        String[] nameAndVersion = product.split(" ", 2);
        String name = nameAndVersion[0].toLowerCase(Locale.ROOT);
        return name.equals("postgresql")
                || (name.equals("sqlite") && nameAndVersion.length == 2 && atLeast(nameAndVersion[1], SQLITE_UPSERT));
    }

    // Whether a dotted version ("3.53.0") is at least the given one.
    private static boolean atLeast(String version, List<Integer> minimum) {
        String[] parts = version.trim().split("[^0-9]+");
        for (int i = 0; i < minimum.size(); i++) {
            int part = (i < parts.length && !parts[i].isEmpty()) ? Integer.parseInt(parts[i]) : 0;
            if (part != minimum.get(i)) {
                return part > minimum.get(i);
            }
        }
        return true;
    }

    /**
     * Insert the row, or replace every column of the existing one: one statement for a flat
     * entity on PostgreSQL or SQLite 3.24+, else Spring Data JDBC's update or insert, whichever
     * applies, in one transaction. A versioned entity keeps Spring Data JDBC's version
     * handling: an insert starts the version, an update checks and increments it; the copy's
     * own version (the new store's, or none) is replaced by the old row's, read in the same
     * transaction. When another writer inserts the row between the check and the insert, or
     * deletes it between the check and the update, the other of the two is tried once.
     * @param entity the entity, with its id set
     * @return the stored entity
     * @throws IllegalArgumentException when the entity has no id
     */
    @Override
    public R upsert(R entity) {
        Assert.notNull(entity, "entity must not be null");
        ID id = idOf(entity);
        if (id == null) {
            throw new IllegalArgumentException("A copy into the old store's " + this.description
                    + " needs an entity with its id set: the copy must keep its key");
        }
        RowUpsert upsert = this.rowUpsert;
        if (upsert == null) {
            return updateOrInsert(entity, id);
        }
        // Converted before the statement: a value the converter refuses fails the copy before
        // anything was sent.
        RowUpsert.Values values = upsert.values(entity, this.persistentEntity, this.converter);
        this.jdbc.execute(upsert.sql(), (PreparedStatementCallback<Integer>) (statement) -> {
            values.bind(statement, 1);
            return statement.executeUpdate();
        });
        return entity;
    }

    private R updateOrInsert(R entity, ID id) {
        Class<R> type = entityType();
        boolean[] ownTransaction = { false };
        boolean[] updating = { false };
        try {
            return written(this.transactions.execute((status) -> {
                // Only a transaction begun here can be tried again: a failed statement leaves a
                // PostgreSQL transaction aborted, and a caller's transaction is the caller's.
                ownTransaction[0] = status.isNewTransaction();
                Stored stored = stored(id, type);
                updating[0] = stored != null;
                return (stored != null) ? this.aggregates.update(withVersion(entity, stored))
                        : this.aggregates.insert(entity);
            }));
        }
        catch (RuntimeException ex) {
            // A writer outside the key's lock (the application's own save or delete) may have
            // inserted the row between the check and the insert, or deleted it between the check
            // and the update (which then finds no row): tried once more the other way. Any other
            // failure is the one thrown.
            if (!ownTransaction[0] || (updating[0] && !isLostUpdate(ex))) {
                throw ex;
            }
            R retried;
            try {
                retried = this.transactions.execute((status) -> {
                    Stored stored = stored(id, type);
                    if (updating[0]) {
                        return (stored == null) ? this.aggregates.insert(entity) : null;
                    }
                    return (stored != null) ? this.aggregates.update(withVersion(entity, stored)) : null;
                });
            }
            catch (RuntimeException retryFailure) {
                retryFailure.addSuppressed(ex);
                throw retryFailure;
            }
            if (retried == null) {
                throw ex;
            }
            return retried;
        }
    }

    // The row of an id as the copy's update needs it (its version), or null when there is none.
    private @Nullable Stored stored(ID id, Class<R> type) {
        if (this.versionSql == null) {
            return this.aggregates.existsById(id, type) ? new Stored(null) : null;
        }
        RelationalPersistentProperty idProperty = this.persistentEntity.getRequiredIdProperty();
        Object idValue = this.converter
            .writeJdbcValue(id, TypeInformation.of(idProperty.getType()), this.converter.getTargetSqlType(idProperty))
            .getValue();
        List<Object> versions = this.jdbc.query(this.versionSql, SingleColumnRowMapper.newInstance(Object.class),
                idValue);
        return versions.isEmpty() ? null : new Stored(versions.get(0));
    }

    // The copy with the old row's version: the copy's own is the new store's (or none), which
    // Spring Data JDBC's optimistic lock would refuse. Set through the mapping's accessor, which
    // also handles immutable entities (withers, records).
    @SuppressWarnings("unchecked")
    private R withVersion(R entity, Stored stored) {
        RelationalPersistentProperty version = this.persistentEntity.getVersionProperty();
        if (version == null) {
            return entity;
        }
        PersistentPropertyAccessor<R> accessor = this.converter
            .getPropertyAccessor((PersistentEntity<R, ?>) this.persistentEntity, entity);
        Object value = (stored.version() != null)
                ? DefaultConversionService.getSharedInstance().convert(stored.version(), version.getType()) : null;
        accessor.setProperty(version, value);
        return accessor.getBean();
    }

    // An update that found no row: Spring Data JDBC's version check, or its row count.
    private static boolean isLostUpdate(Throwable ex) {
        for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
            if (cause instanceof OptimisticLockingFailureException
                    || cause instanceof IncorrectUpdateSemanticsDataAccessException) {
                return true;
            }
        }
        return false;
    }

    /** The old row's version, or null when the entity has none. */
    private record Stored(@Nullable Object version) {
    }

    private R written(@Nullable R entity) {
        Assert.state(entity != null, "Spring Data JDBC returned no entity");
        return entity;
    }

    /**
     * Return whether copies are written by the library's own single statement rather than by
     * Spring Data JDBC's update or insert.
     * @return whether {@link #upsert} is one {@code insert ... on conflict} statement
     */
    boolean writesRowsItself() {
        return this.rowUpsert != null;
    }

    /**
     * {@inheritDoc}
     * <p>
     * True whenever a connection of the old store's {@code DataSource} is bound to the thread
     * (a transaction, or synchronization, of the caller's), which
     * the repository's statements then use.
     */
    @Override
    public boolean writesJoinCallersTransaction() {
        return this.dataSource != null && TransactionSynchronizationManager.hasResource(this.dataSource);
    }

    /**
     * {@inheritDoc}
     * <p>
     * In one transaction of the old store (joining the caller's, if any), as the repository's
     * own {@code save} would run.
     */
    @Override
    public R save(R entity) {
        return this.transactions.execute((status) -> super.save(entity));
    }

    /**
     * {@inheritDoc}
     * <p>
     * In one transaction of the old store (joining the caller's, if any).
     */
    @Override
    public void delete(ID id) {
        this.transactions.executeWithoutResult((status) -> super.delete(id));
    }

    /**
     * Describe the table, quoted as the old store quotes it, and the database product, for
     * example {@code table "customer" (SQLite)}.
     * @return the description
     */
    @Override
    public String describe() {
        return this.description;
    }

    @Override
    public String toString() {
        return "JdbcOldStore[" + this.description + "]";
    }

}
