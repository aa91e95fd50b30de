package dev.dualwrite.autoconfigure.source;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import javax.sql.DataSource;

import dev.dualwrite.core.inventory.InventorySource;
import dev.dualwrite.core.inventory.JdbcInventory;
import dev.dualwrite.core.repair.JdbcRepairLog;
import dev.dualwrite.core.repair.OldStoreRepairLog;
import dev.dualwrite.core.store.JdbcOldStore;
import dev.dualwrite.core.store.OldStore;
import dev.dualwrite.core.store.scan.JdbcKeysetScanner;
import dev.dualwrite.core.store.scan.OldStoreScanner;
import org.jspecify.annotations.Nullable;

import org.springframework.data.jdbc.core.JdbcAggregateOperations;
import org.springframework.data.repository.CrudRepository;
import org.springframework.data.repository.Repository;
import org.springframework.data.repository.core.EntityInformation;
import org.springframework.jdbc.core.JdbcOperations;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.JdbcAccessor;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.ResourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.Assert;

/**
 * A relational database that is the old store of some of the application's Spring Data JDBC
 * repositories: a SQLite file (3.42 or later), another PostgreSQL database, or an old schema of
 * the new PostgreSQL (the databases whose repair log the library keeps).
 * Declared as a bean, it makes the repositories it lists the old side of their pairs, to be
 * migrated to PostgreSQL through the same four stages, backfill, verifier and repair as a
 * Redis repository:
 * <pre class="code">
 * &#64;Bean
 * JdbcSource legacyCustomers(&#64;Qualifier("legacyDataSource") DataSource dataSource,
 *         &#64;Qualifier("legacyAggregates") JdbcAggregateOperations aggregates) {
 *     return JdbcSource.of("legacy", dataSource, aggregates).repositories(LegacyCustomerRepository.class);
 * }
 * </pre>
 * Every JDBC repository that no source lists is a candidate new store. A listed repository
 * is paired like a Redis one: by a {@code RepositoryPairing} naming it first, by
 * {@code dual-write.repositories.<name>} bean names, or with the single unlisted JDBC
 * repository of its domain type.
 * <p>
 * The listed repositories must be built on this source's database, through {@code aggregates}:
 * their {@code @EnableJdbcRepositories} names it as {@code jdbcAggregateOperationsRef} (and the
 * source's transaction manager as {@code transactionManagerRef}). The library reads and writes
 * the old tables through the same {@code aggregates}, so rows are mapped as the application maps
 * them. Declaring the source's {@code DataSource}, transaction manager and {@code aggregates}
 * with {@code @Bean(defaultCandidate = false)} keeps Spring Boot's own set-up of the new
 * PostgreSQL, and the application's other repositories, as if they were not there.
 * <p>
 * The repair records of the listed repositories are kept in the source's database (tables
 * {@code dualwrite_source_repair} and {@code dualwrite_source_intent}, created at start-up), so
 * they can be written when PostgreSQL fails. A SQLite file must be in WAL mode.
 */
public final class JdbcSource implements OldStoreSource {

    private final String name;

    private final DataSource dataSource;

    private final JdbcAggregateOperations aggregates;

    private final Set<Class<?>> repositories;

    private final PlatformTransactionManager transactionManager;

    private JdbcSource(String name, DataSource dataSource, JdbcAggregateOperations aggregates,
            Set<Class<?>> repositories, @Nullable PlatformTransactionManager transactionManager) {
        this.name = name;
        this.dataSource = dataSource;
        this.aggregates = aggregates;
        this.repositories = repositories;
        this.transactionManager = (transactionManager != null) ? transactionManager
                : new JdbcTransactionManager(dataSource);
    }

    /**
     * Start describing an old store kept in a relational database.
     * @param name the source's name, for logs and errors (for example {@code "legacy"})
     * @param dataSource the old database
     * @param aggregates the Spring Data JDBC operations the listed repositories write through,
     * on {@code dataSource}
     * @return a source that lists no repository yet
     * @throws IllegalArgumentException when {@code aggregates} does not write through
     * {@code dataSource} itself (the same object): a write, its intent and the caller's
     * transaction must meet on one connection
     */
    public static JdbcSource of(String name, DataSource dataSource, JdbcAggregateOperations aggregates) {
        Assert.hasText(name, "name must not be empty");
        Assert.notNull(dataSource, "dataSource must not be null");
        Assert.notNull(aggregates, "aggregates must not be null");
        JdbcOperations operations = aggregates.getDataAccessStrategy().getJdbcOperations().getJdbcOperations();
        DataSource written = (operations instanceof JdbcAccessor accessor) ? accessor.getDataSource() : null;
        Assert.isTrue(written == dataSource, () -> "JdbcSource '" + name + "': its aggregates write through "
                + ((written != null) ? "another DataSource object" : "JDBC operations without a DataSource")
                + " than the one given; give the DataSource their JdbcTemplate uses, so that writes, their "
                + "intents and transactions meet on one connection");
        return new JdbcSource(name, dataSource, aggregates, Set.of(), null);
    }

    /**
     * Return a source that also lists the given repositories as old stores.
     * @param repositoryInterfaces Spring Data JDBC repository interfaces built on this source
     * @return a new source
     */
    @SafeVarargs
    public final JdbcSource repositories(Class<? extends Repository<?, ?>>... repositoryInterfaces) {
        Set<Class<?>> listed = new LinkedHashSet<>(this.repositories);
        for (Class<?> repositoryInterface : repositoryInterfaces) {
            Assert.notNull(repositoryInterface, "repository interfaces must not be null");
            listed.add(repositoryInterface);
        }
        return new JdbcSource(this.name, this.dataSource, this.aggregates, Collections.unmodifiableSet(listed),
                this.transactionManager);
    }

    /**
     * Return a source whose reads and copies run in transactions of the given manager instead
     * of a {@link JdbcTransactionManager} of its own on the source's {@code DataSource}.
     * @param transactionManager a transaction manager of the source's database
     * @return a new source
     * @throws IllegalArgumentException when it manages transactions of another
     * {@code DataSource} object
     */
    public JdbcSource transactionManager(PlatformTransactionManager transactionManager) {
        Assert.notNull(transactionManager, "transactionManager must not be null");
        Assert.isTrue(!(transactionManager instanceof ResourceTransactionManager resources)
                || resources.getResourceFactory() == this.dataSource, () -> "JdbcSource '" + this.name
                        + "': the transaction manager manages another DataSource object than the source's");
        return new JdbcSource(this.name, this.dataSource, this.aggregates, this.repositories, transactionManager);
    }

    @Override
    public String name() {
        return this.name;
    }

    /**
     * Return the old database.
     * @return the data source
     */
    public DataSource dataSource() {
        return this.dataSource;
    }

    /**
     * Return the Spring Data JDBC operations of the listed repositories.
     * @return the operations
     */
    public JdbcAggregateOperations aggregates() {
        return this.aggregates;
    }

    @Override
    public List<Class<?>> repositories() {
        return List.copyOf(this.repositories);
    }

    @Override
    public boolean lists(Class<?> repositoryInterface) {
        return this.repositories.contains(repositoryInterface);
    }

    /**
     * Return the transaction manager of the source's database: the one given, or a
     * {@link JdbcTransactionManager} on its {@code DataSource}.
     * @return the transaction manager
     */
    public PlatformTransactionManager transactionManager() {
        return this.transactionManager;
    }

    /**
     * {@inheritDoc}
     * <p>
     * A {@link JdbcOldStore} through {@code aggregates}, its copies in transactions of the
     * source's transaction manager.
     */
    @Override
    public <R, ID> OldStore<R, ID> oldStore(CrudRepository<R, ID> repository,
            EntityInformation<R, ID> entityInformation) {
        return new JdbcOldStore<>(repository, entityInformation, this.aggregates,
                new TransactionTemplate(this.transactionManager));
    }

    /**
     * {@inheritDoc}
     * <p>
     * A {@link JdbcRepairLog} on the source's {@code DataSource}, whose tables are created where
     * missing.
     */
    @Override
    public OldStoreRepairLog repairLog(Duration interruptedWriteGrace, Duration inFlightGrace) {
        JdbcRepairLog log = new JdbcRepairLog(this.dataSource, interruptedWriteGrace, inFlightGrace);
        log.createTables();
        return log;
    }

    /**
     * {@inheritDoc}
     * <p>
     * A {@link JdbcKeysetScanner}: by primary key.
     * @throws IllegalStateException when the database cannot be reached, or is a SQLite file
     * not in WAL mode
     */
    @Override
    public <R, ID> OldStoreScanner<R, ID> scannerOf(Class<R> entityType, Class<ID> idType) {
        return new JdbcKeysetScanner<>(entityType, idType, this.aggregates, new JdbcTemplate(this.dataSource),
                this.aggregates.getDataAccessStrategy().getDialect(), this.transactionManager);
    }

    /**
     * {@inheritDoc}
     * <p>
     * A {@link JdbcInventory}: row counts and table sizes.
     */
    @Override
    public Optional<InventorySource> inventory(Map<String, Class<?>> repositories) {
        return Optional.of(new JdbcInventory(toString(), this.aggregates, this.dataSource,
                this.aggregates.getDataAccessStrategy().getDialect(), repositories));
    }

    @Override
    public String toString() {
        return "JDBC source '" + this.name + "'";
    }

}
