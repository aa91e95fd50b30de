package dev.dualwrite.sample.client.sqlite;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The clients' SQLite file as the service has always kept it: one {@code clients} table, in
 * WAL mode (which lets the backfill read while the service writes). A new file gets its table
 * and some history; an existing one is used as it is.
 */
final class ClientsFile {

    private static final Logger logger = LoggerFactory.getLogger(ClientsFile.class);

    private ClientsFile() {
    }

    static DataSource open(ClientsProperties properties) {
        Path file = properties.sqliteFile().toAbsolutePath();
        try {
            Files.createDirectories(file.getParent());
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Cannot create the directory of the clients' SQLite file " + file, ex);
        }
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        // Writers wait for each other instead of failing with SQLITE_BUSY at once.
        config.setBusyTimeout(5_000);
        SQLiteDataSource dataSource = new SQLiteDataSource(config);
        dataSource.setUrl("jdbc:sqlite:" + file);
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        jdbc.execute("create table if not exists clients (id text primary key, name text not null, "
                + "contact_email text, registered_at integer not null)");
        Integer rows = jdbc.queryForObject("select count(*) from clients", Integer.class);
        if (rows != null && rows == 0 && properties.seed() > 0) {
            seed(jdbc, properties.seed());
            rows = properties.seed();
        }
        logger.info("Clients' old store: SQLite file {} ({} clients)", file, rows);
        return dataSource;
    }

    // Times as the driver stores a Timestamp: epoch milliseconds.
    private static void seed(JdbcTemplate jdbc, int count) {
        Instant start = Instant.now().truncatedTo(ChronoUnit.MILLIS).minus(count, ChronoUnit.MINUTES);
        List<Object[]> rows = new ArrayList<>(count);
        for (int i = 1; i <= count; i++) {
            rows.add(new Object[] { "client-%05d".formatted(i), "Client %d".formatted(i),
                    (i % 3 == 0) ? null : "ops+%d@example.com".formatted(i),
                    Timestamp.from(start.plus(i, ChronoUnit.MINUTES)).getTime() });
        }
        jdbc.batchUpdate("insert into clients (id, name, contact_email, registered_at) values (?, ?, ?, ?)", rows);
    }

}
