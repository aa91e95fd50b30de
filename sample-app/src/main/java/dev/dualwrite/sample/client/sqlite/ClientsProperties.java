package dev.dualwrite.sample.client.sqlite;

import java.nio.file.Path;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where the clients' SQLite file is, and how much history the demo puts in a new one.
 * @param sqliteFile the SQLite file; created, with its table, when missing
 * @param seed how many clients a new, empty file gets, so that there is history to backfill
 */
@ConfigurationProperties("sample.clients")
public record ClientsProperties(@DefaultValue("target/clients.db") Path sqliteFile, @DefaultValue("1000") int seed) {
}
