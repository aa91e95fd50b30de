package dev.dualwrite.core.inventory;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import dev.dualwrite.core.inventory.InventoryReport.BackfillEstimate;
import dev.dualwrite.core.inventory.InventoryReport.PartInventory;
import dev.dualwrite.core.inventory.InventoryReport.RepositoryInventory;
import dev.dualwrite.core.inventory.InventoryReport.StoreSummary;
import dev.dualwrite.core.inventory.InventoryReport.TableInventory;
import dev.dualwrite.core.inventory.InventoryReport.UnmatchedKeys;

/**
 * The text form of an {@link InventoryReport}: a table per repository, then the keys of no
 * repository per store. A JDBC store's repository shows its tables (rows and size) instead of
 * key patterns, and its store no keys of no repository: those columns do not apply to a table.
 */
final class InventoryText {

    private InventoryText() {
    }

    static String render(InventoryReport report) {
        StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT, "dual-write inventory taken %s in %s%n", report.takenAt(),
                duration(report.duration())));
        for (RepositoryInventory repository : report.repositories()) {
            text.append(String.format(Locale.ROOT, "%nrepository '%s': %s in %s%n", repository.repository(),
                    repository.shape(), repository.store()));
            if (!repository.tables().isEmpty()) {
                tables(text, repository);
            }
            if (!repository.parts().isEmpty() || repository.tables().isEmpty()) {
                parts(text, repository);
            }
            BackfillEstimate backfill = repository.backfill();
            text.append(String.format(Locale.ROOT, "  backfill: %,d entities; %s%n", backfill.rows(),
                    (backfill.time() != null) ? "about " + duration(backfill.time()) + " at " + backfill.basis()
                            : backfill.basis()));
        }
        for (StoreSummary store : report.stores()) {
            UnmatchedKeys unmatched = store.unmatched();
            if (store.match() == null || unmatched == null) {
                // A database: its tables were counted, not its keys scanned.
                text.append(String.format(Locale.ROOT, "%nstore %s: %,d rows counted (count(*) per table)%n",
                        store.store(), store.scanned()));
                text.append(String.format(Locale.ROOT,
                        "  tables of no repository: not looked for; key types, expiry and memory: not applicable%n"));
                continue;
            }
            text.append(String.format(Locale.ROOT, "%nstore %s: %,d keys scanned matching '%s' on %d master(s)%n",
                    store.store(), store.scanned(), store.match(), store.masters()));
            text.append(String.format(Locale.ROOT, "  keys of no repository: %,d %s%s%n", unmatched.count(),
                    types(unmatched.types()),
                    unmatched.examples().isEmpty() ? "" : ", e.g. " + String.join(", ", unmatched.examples())));
            if (!"*".equals(store.match())) {
                text.append(String.format(Locale.ROOT,
                        "  only keys matching '%s' were scanned: patterns outside it show 0%n", store.match()));
            }
        }
        boolean tables = report.repositories().stream().anyMatch((repository) -> !repository.tables().isEmpty());
        // A report of Redis alone reads as it always has.
        if (!tables || report.repositories().stream().anyMatch((repository) -> !repository.parts().isEmpty())) {
            text.append(String.format(Locale.ROOT,
                    "%nmemory: MEMORY USAGE of the keys measured, averaged and multiplied by their pattern's keys: an estimate%n"));
        }
        if (tables) {
            text.append(String.format(Locale.ROOT,
                    "%nrows: count(*), exact; size: as the database reports it, 'unknown' where it cannot say%n"));
        }
        return text.toString();
    }

    private static void tables(StringBuilder text, RepositoryInventory repository) {
        int width = repository.tables().stream().mapToInt((table) -> table.table().length()).max().orElse(5);
        width = Math.max(width, 5);
        text.append(String.format(Locale.ROOT, "  %-" + width + "s  %12s  %10s  %s%n", "table", "rows", "size",
                "size basis"));
        for (TableInventory table : repository.tables()) {
            text.append(String.format(Locale.ROOT, "  %-" + width + "s  %,12d  %10s  %s%n", table.table(),
                    table.rows(), (table.bytes() != null) ? bytes(table.bytes()) : "unknown", table.sizeBasis()));
        }
    }

    private static void parts(StringBuilder text, RepositoryInventory repository) {
        int width = repository.parts().stream().mapToInt((part) -> part.pattern().length()).max().orElse(7);
        String row = "  %-" + width + "s  %-17s %,12d  %-22s %7s  %10s  %s%n";
        text.append(String.format(Locale.ROOT, "  %-" + width + "s  %-17s %12s  %-22s %7s  %10s  %s%n",
                "pattern", "role", "keys", "types", "ttl", "memory", "memory basis"));
        for (PartInventory part : repository.parts()) {
            text.append(String.format(Locale.ROOT, row, part.pattern(), part.role(), part.count(),
                    types(part.types()), percent(part.expiringShare(), part.count()), bytes(part.memory().bytes()),
                    part.memory().basis()));
        }
    }

    private static String types(Map<String, Long> types) {
        if (types.isEmpty()) {
            return "-";
        }
        return types.entrySet()
            .stream()
            .map((entry) -> String.format(Locale.ROOT, "%s=%,d", entry.getKey(), entry.getValue()))
            .collect(Collectors.joining(" "));
    }

    private static String percent(double share, long count) {
        return (count == 0) ? "-" : String.format(Locale.ROOT, "%.1f%%", share * 100);
    }

    static String bytes(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = { "KiB", "MiB", "GiB", "TiB" };
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    static String duration(Duration duration) {
        long seconds = duration.toSeconds();
        if (seconds < 1) {
            return duration.toMillis() + " ms";
        }
        if (seconds < 60) {
            return String.format(Locale.ROOT, "%.1f s", duration.toMillis() / 1000.0);
        }
        if (seconds < 3600) {
            return String.format(Locale.ROOT, "%d min %d s", seconds / 60, seconds % 60);
        }
        return String.format(Locale.ROOT, "%d h %d min", seconds / 3600, (seconds % 3600) / 60);
    }

}
