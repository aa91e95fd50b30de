package dev.dualwrite.core.inventory;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import javax.sql.DataSource;

import dev.dualwrite.core.inventory.InventoryReport.BackfillEstimate;
import dev.dualwrite.core.inventory.InventoryReport.RepositoryInventory;
import dev.dualwrite.core.inventory.InventoryReport.StoreSummary;
import dev.dualwrite.core.inventory.InventoryReport.TableInventory;
import org.jspecify.annotations.Nullable;

import org.springframework.core.NestedExceptionUtils;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.data.jdbc.core.JdbcAggregateOperations;
import org.springframework.data.relational.core.dialect.Dialect;
import org.springframework.data.relational.core.dialect.RenderContextFactory;
import org.springframework.data.relational.core.mapping.RelationalMappingContext;
import org.springframework.data.relational.core.mapping.RelationalPersistentEntity;
import org.springframework.data.relational.core.mapping.RelationalPersistentProperty;
import org.springframework.data.relational.core.sql.Expressions;
import org.springframework.data.relational.core.sql.Functions;
import org.springframework.data.relational.core.sql.IdentifierProcessing;
import org.springframework.data.relational.core.sql.SqlIdentifier;
import org.springframework.data.relational.core.sql.StatementBuilder;
import org.springframework.data.relational.core.sql.Table;
import org.springframework.data.relational.core.sql.render.SqlRenderer;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.util.Assert;
import org.springframework.util.StringUtils;

/**
 * The inventory of a JDBC old store (a SQLite file, another schema of PostgreSQL, ...): per
 * repository the tables of its Spring Data JDBC aggregate (its entity's table, then those of
 * the entities it holds), each with its exact row count ({@code count(*)}) and its size as the database reports it (PostgreSQL:
 * {@code pg_total_relation_size}, the table with its indexes and TOAST; SQLite: the pages of the
 * table and its indexes in the {@code dbstat} table, when the driver's SQLite has it), or no
 * size when the database cannot say. The repository's entities, from which the backfill time
 * is estimated, are the rows of its entity's table. Key types, expiry, memory and keys of no
 * repository do not apply to a table and are absent from the report.
 * <p>
 * It only reads, with plain statements, each its own short transaction, each limited to
 * {@link InventorySettings#timeout()}; on SQLite the file must be in WAL mode, where readers
 * never keep the application's writers from committing (checked at each inventory, as the
 * backfill's scanner checks it). A table that does not exist, or a database that cannot be
 * reached, fails the inventory with the repository, the table and the cause, never the
 * database's URL or password.
 */
public final class JdbcInventory implements InventorySource {

    // Entities held inside entities are walked this deep; Spring Data JDBC aggregates are shallow.
    private static final int MAX_DEPTH = 8;

    private final String description;

    private final DataSource dataSource;

    private final Dialect dialect;

    private final SqlRenderer renderer;

    private final Map<String, Aggregate> repositories;

    /**
     * Read each repository's tables from the old store's mapping; touches no database.
     * @param description the store, for the report (e.g. {@code "SQLite legacy.db"}; name no password)
     * @param aggregates the old store's Spring Data JDBC operations, whose mapping names the tables
     * @param dataSource the old store's database (the one {@code aggregates} uses)
     * @param dialect the old store's dialect, for quoting the table names
     * @param repositories each repository's name and entity type, reported in this order
     * @throws IllegalArgumentException when an entity type is not mapped by {@code aggregates}
     */
    public JdbcInventory(String description, JdbcAggregateOperations aggregates, DataSource dataSource,
            Dialect dialect, Map<String, Class<?>> repositories) {
        Assert.hasText(description, "description must not be empty");
        Assert.notNull(aggregates, "aggregates must not be null");
        Assert.notNull(dataSource, "dataSource must not be null");
        Assert.notNull(dialect, "dialect must not be null");
        Assert.notNull(repositories, "repositories must not be null");
        this.description = description;
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.renderer = SqlRenderer.create(new RenderContextFactory(dialect).createRenderContext());
        Map<String, Aggregate> aggregatesByName = new LinkedHashMap<>();
        repositories.forEach((repository, type) -> aggregatesByName.put(repository,
                aggregate(aggregates.getConverter().getMappingContext(), repository, type)));
        this.repositories = aggregatesByName;
    }

    private Aggregate aggregate(RelationalMappingContext mapping, String repository, Class<?> type) {
        Assert.hasText(repository, "a repository name must not be empty");
        Assert.notNull(type, () -> "the entity type of repository '" + repository + "' must not be null");
        RelationalPersistentEntity<?> root;
        try {
            root = mapping.getRequiredPersistentEntity(type);
        }
        catch (RuntimeException ex) {
            throw new IllegalArgumentException("Repository '" + repository + "': " + type.getName()
                    + " is not an entity of the old store's Spring Data JDBC mapping: " + ex.getMessage(), ex);
        }
        Map<SqlIdentifier, MappedTable> tables = new LinkedHashMap<>();
        tables.put(root.getQualifiedTableName(), mappedTable(repository, root));
        held(mapping, repository, root, tables, 0);
        return new Aggregate(repository, type, List.copyOf(tables.values()));
    }

    // The tables of the entities an aggregate holds (one-to-one and one-to-many references, in
    // embedded objects too): Spring Data JDBC keeps each in a table of its own, which the
    // backfill reads with the aggregate. Aggregate references (ids of other aggregates) are not
    // entities and add none.
    private void held(RelationalMappingContext mapping, String repository, RelationalPersistentEntity<?> entity,
            Map<SqlIdentifier, MappedTable> tables, int depth) {
        if (depth >= MAX_DEPTH) {
            return;
        }
        for (RelationalPersistentProperty property : entity) {
            if (!property.isEntity()) {
                continue;
            }
            RelationalPersistentEntity<?> held = mapping.getPersistentEntity(property.getActualType());
            if (held == null) {
                continue;
            }
            if (!property.isEmbedded()) {
                tables.putIfAbsent(held.getQualifiedTableName(), mappedTable(repository, held));
            }
            held(mapping, repository, held, tables, depth + 1);
        }
    }

    private MappedTable mappedTable(String repository, RelationalPersistentEntity<?> entity) {
        SqlIdentifier qualified = entity.getQualifiedTableName();
        // Rendered by Spring Data's SQL builder in the old store's dialect: the name comes from
        // the mapping, quoted as the application's own statements quote it.
        String countSql = this.renderer.render(StatementBuilder.select(Functions.count(Expressions.asterisk()))
            .from(Table.create(qualified))
            .build());
        boolean inSchema = !qualified.equals(entity.getTableName());
        // Unquoted for people: the report and the messages.
        return new MappedTable(repository, entity.getType(), qualified.toSql(IdentifierProcessing.NONE),
                qualified.toSql(this.dialect.getIdentifierProcessing()), inSchema ? null : entity.getTableName().getReference(),
                countSql);
    }

    @Override
    public String describe() {
        return this.description;
    }

    @Override
    public List<String> repositories() {
        return List.copyOf(this.repositories.keySet());
    }

    /**
     * Count the rows of the wanted repositories' tables and read their sizes, one table after the
     * other; {@code settings.timeout()} limits each statement, the other settings apply to Redis
     * only.
     * @throws IllegalStateException when the database cannot be reached, is a SQLite file not in
     * WAL mode, or a table is missing or cannot be counted
     */
    @Override
    public StoreInventory take(Set<String> wanted, InventorySettings settings, Consumer<ScanProgress> progress) {
        Assert.notNull(wanted, "wanted must not be null");
        Assert.notNull(settings, "settings must not be null");
        Assert.notNull(progress, "progress must not be null");
        List<Aggregate> aggregates = this.repositories.values()
            .stream()
            .filter((aggregate) -> wanted.contains(aggregate.repository()))
            .toList();
        List<MappedTable> tables = aggregates.stream().flatMap((aggregate) -> aggregate.tables().stream()).toList();
        JdbcTemplate jdbc = new JdbcTemplate(this.dataSource);
        // Whole seconds, rounded up: what JDBC's query time-outs can express.
        int seconds = (int) Math.max(1, (settings.timeout().toMillis() + 999) / 1000);
        jdbc.setQueryTimeout(seconds);
        Database database = database(jdbc, tables);
        List<RepositoryInventory> reported = new ArrayList<>();
        long counted = 0;
        int done = 0;
        for (Aggregate aggregate : aggregates) {
            List<TableInventory> inventories = new ArrayList<>();
            for (MappedTable table : aggregate.tables()) {
                TableInventory inventory = inventory(jdbc, database, table, seconds);
                inventories.add(inventory);
                counted += inventory.rows();
                progress.accept(new ScanProgress(this.description, counted, (double) ++done / tables.size()));
            }
            // The entities are the root table's rows: a held entity's rows are copied with its aggregate.
            MappedTable root = aggregate.tables().get(0);
            long entities = inventories.get(0).rows();
            reported.add(new RepositoryInventory(aggregate.repository(), this.description,
                    "rows of table " + root.name() + " (" + aggregate.type().getSimpleName() + "), Spring Data JDBC",
                    List.of(), entities, "count(*) of " + root.name(),
                    new BackfillEstimate(entities, null, null, BackfillEstimate.NOT_MEASURED), List.copyOf(inventories)));
        }
        return new StoreInventory(new StoreSummary(this.description, null, counted, 0, null), reported);
    }

    private TableInventory inventory(JdbcTemplate jdbc, Database database, MappedTable table, int seconds) {
        try {
            if (Boolean.FALSE.equals(exists(jdbc, database, table))) {
                throw new IllegalStateException("Repository '" + table.repository() + "': its table " + table.name()
                        + " does not exist in " + this.description + "; check the entity's mapping (@Table, schema) "
                        + "and that the inventory reads the old store's database");
            }
            Long rows = jdbc.queryForObject(table.countSql(), Long.class);
            return size(jdbc, database, table, (rows != null) ? rows : 0);
        }
        catch (DataAccessException ex) {
            String timeLimit = timedOut(ex) ? "; count(*) did not finish within the inventory's time limit of "
                    + seconds + " s: raise it, or count when the store is quieter" : "";
            throw new IllegalStateException("Repository '" + table.repository() + "': the rows of table "
                    + table.name() + " in " + this.description + " could not be counted: " + cause(ex) + timeLimit, ex);
        }
    }

    // Null when this database has no catalogue query here: the count's own error then names the table.
    private @Nullable Boolean exists(JdbcTemplate jdbc, Database database, MappedTable table) {
        if (database.postgres()) {
            // Resolved along the search path, as the count statement resolves the name.
            return jdbc.queryForObject("select to_regclass(?) is not null", Boolean.class, table.sql());
        }
        if (database.sqlite() && table.sqliteName() != null) {
            Long found = jdbc.queryForObject(
                    "select count(*) from sqlite_master where type in ('table', 'view') and name = ?", Long.class,
                    table.sqliteName());
            return found != null && found > 0;
        }
        return null;
    }

    // The size is worth less than the count: a failure to read it leaves it unknown, with why.
    private TableInventory size(JdbcTemplate jdbc, Database database, MappedTable table, long rows) {
        try {
            if (database.postgres()) {
                Long bytes = jdbc.queryForObject("select pg_total_relation_size(to_regclass(?))", Long.class,
                        table.sql());
                return new TableInventory(table.name(), rows, bytes,
                        "pg_total_relation_size: the table with its indexes and TOAST");
            }
            if (database.sqlite()) {
                return sqliteSize(jdbc, database, table, rows);
            }
            return new TableInventory(table.name(), rows, null,
                    "unknown: table sizes are not read from " + database.product());
        }
        catch (DataAccessException ex) {
            return new TableInventory(table.name(), rows, null, "unknown: the size could not be read: " + cause(ex));
        }
    }

    private TableInventory sqliteSize(JdbcTemplate jdbc, Database database, MappedTable table, long rows) {
        if (!database.dbstat()) {
            return new TableInventory(table.name(), rows, null,
                    "unknown: this SQLite has no dbstat table (built without SQLITE_ENABLE_DBSTAT_VTAB)");
        }
        if (table.sqliteName() == null) {
            return new TableInventory(table.name(), rows, null,
                    "unknown: the size of a table in an attached SQLite database is not read");
        }
        List<String> indexes = jdbc.queryForList(
                "select name from sqlite_master where type = 'index' and tbl_name = ?", String.class,
                table.sqliteName());
        long bytes = 0;
        // One b-tree per statement: dbstat then walks only the pages of that name.
        List<String> names = new ArrayList<>(indexes.size() + 1);
        names.add(table.sqliteName());
        names.addAll(indexes);
        for (String name : names) {
            Long pages = jdbc.queryForObject("select coalesce(sum(pgsize), 0) from dbstat where name = ?",
                    Long.class, name);
            bytes += (pages != null) ? pages : 0;
        }
        return new TableInventory(table.name(), rows, bytes, "dbstat: the pages of the table and its "
                + indexes.size() + ((indexes.size() == 1) ? " index" : " indexes"));
    }

    // Which database this is, and on SQLite whether readers are safe for writers (WAL) and
    // whether dbstat exists; one connection, before any table is counted.
    private Database database(JdbcTemplate jdbc, List<MappedTable> tables) {
        Database database;
        try {
            database = jdbc.execute((ConnectionCallback<Database>) (connection) -> {
                String product = connection.getMetaData().getDatabaseProductName();
                if (!"SQLite".equalsIgnoreCase(product)) {
                    return new Database(product, null, false);
                }
                try (Statement statement = connection.createStatement()) {
                    String mode;
                    try (ResultSet result = statement.executeQuery("pragma journal_mode")) {
                        mode = result.next() ? result.getString(1) : "unknown";
                    }
                    boolean dbstat = false;
                    try (ResultSet result = statement.executeQuery("pragma compile_options")) {
                        while (result.next()) {
                            dbstat |= "ENABLE_DBSTAT_VTAB".equalsIgnoreCase(result.getString(1));
                        }
                    }
                    return new Database(product, mode, dbstat);
                }
            });
        }
        catch (DataAccessException ex) {
            throw new IllegalStateException("The database of " + this.description + " could not be reached to count "
                    + "the tables " + tables.stream().map(MappedTable::name).toList() + ": " + cause(ex)
                    + "; check that the old store's database is up and reachable", ex);
        }
        if (database == null) {
            throw new IllegalStateException("The database of " + this.description + " did not say what it is");
        }
        if (database.sqlite() && !"wal".equalsIgnoreCase(database.journalMode())) {
            throw new IllegalStateException("The SQLite file of " + this.description + " is in journal_mode "
                    + database.journalMode() + ": counting a table would keep the application's writers from "
                    + "committing until it ends. Switch the file to WAL once (pragma journal_mode=wal, which the "
                    + "file keeps) before taking stock of it; the backfill needs it as well");
        }
        return database;
    }

    private static boolean timedOut(Throwable ex) {
        for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
            if (cause instanceof QueryTimeoutException || cause instanceof SQLTimeoutException
                    || (cause instanceof SQLException sql && "57014".equals(sql.getSQLState()))) {
                return true;
            }
        }
        return false;
    }

    // The driver's own words, first line only, without anything that looks like a connection URL
    // or a password: the report and the logs are read by more people than the credentials are.
    private static String cause(Throwable ex) {
        Throwable specific = NestedExceptionUtils.getMostSpecificCause(ex);
        String message = specific.getMessage();
        String text = specific.getClass().getSimpleName();
        if (StringUtils.hasText(message)) {
            String line = message.lines().findFirst().orElse("").strip();
            line = line.replaceAll("jdbc:\\S+", "<url>").replaceAll("(?i)(password|pwd)\\s*[=:]\\s*\\S+", "$1=<hidden>");
            text += ": " + line;
        }
        return text;
    }

    /**
     * A table of a repository's aggregate.
     * @param repository the repository
     * @param type the entity kept in it
     * @param name its name, qualified, for messages and the report
     * @param sql its name as SQL, quoted in the dialect
     * @param sqliteName its name in SQLite's catalogue, null when it is in another schema
     * @param countSql {@code select count(*)} of it
     */
    private record MappedTable(String repository, Class<?> type, String name, String sql, @Nullable String sqliteName,
            String countSql) {
    }

    /**
     * A repository's aggregate.
     * @param tables the root entity's table first, then those of the entities it holds
     */
    private record Aggregate(String repository, Class<?> type, List<MappedTable> tables) {
    }

    private record Database(String product, @Nullable String journalMode, boolean dbstat) {

        boolean postgres() {
            return "PostgreSQL".equalsIgnoreCase(this.product);
        }

        boolean sqlite() {
            return "SQLite".equalsIgnoreCase(this.product);
        }

    }

}
