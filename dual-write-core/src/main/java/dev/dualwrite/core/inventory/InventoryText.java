package dev.dualwrite.core.inventory;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import dev.dualwrite.core.inventory.InventoryReport.BackfillEstimate;
import dev.dualwrite.core.inventory.InventoryReport.PartInventory;
import dev.dualwrite.core.inventory.InventoryReport.RepositoryInventory;
import dev.dualwrite.core.inventory.InventoryReport.StoreSummary;

/**
 * The text form of an {@link InventoryReport}: a table per repository, then the keys of no
 * repository per store.
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
            int width = repository.parts().stream().mapToInt((part) -> part.pattern().length()).max().orElse(7);
            String row = "  %-" + width + "s  %-17s %,12d  %-22s %7s  %10s  %s%n";
            text.append(String.format(Locale.ROOT, "  %-" + width + "s  %-17s %12s  %-22s %7s  %10s  %s%n",
                    "pattern", "role", "keys", "types", "ttl", "memory", "memory basis"));
            for (PartInventory part : repository.parts()) {
                text.append(String.format(Locale.ROOT, row, part.pattern(), part.role(), part.count(),
                        types(part.types()), percent(part.expiringShare(), part.count()), bytes(part.memory().bytes()),
                        part.memory().basis()));
            }
            BackfillEstimate backfill = repository.backfill();
            text.append(String.format(Locale.ROOT, "  backfill: %,d entities; %s%n", backfill.rows(),
                    (backfill.time() != null) ? "about " + duration(backfill.time()) + " at " + backfill.basis()
                            : backfill.basis()));
        }
        for (StoreSummary store : report.stores()) {
            text.append(String.format(Locale.ROOT, "%nstore %s: %,d keys scanned matching '%s' on %d master(s)%n",
                    store.store(), store.scanned(), store.match(), store.masters()));
            text.append(String.format(Locale.ROOT, "  keys of no repository: %,d %s%s%n", store.unmatched().count(),
                    types(store.unmatched().types()),
                    store.unmatched().examples().isEmpty() ? ""
                            : ", e.g. " + String.join(", ", store.unmatched().examples())));
            if (!"*".equals(store.match())) {
                text.append(String.format(Locale.ROOT,
                        "  only keys matching '%s' were scanned: patterns outside it show 0%n", store.match()));
            }
        }
        text.append(String.format(Locale.ROOT,
                "%nmemory: MEMORY USAGE of the keys measured, averaged and multiplied by their pattern's keys: an estimate%n"));
        return text.toString();
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
