package dev.dualwrite.core.backfill;

import java.time.Duration;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * Formats progress for people: log lines and the terminal progress bar.
 */
public final class BackfillFormat {

    private BackfillFormat() {
    }

    /**
     * Format a duration as {@code 1h02m03s}, {@code 2m03s} or {@code 3.4s}.
     * @param duration the duration, or {@code null}
     * @return the text, {@code "?"} for {@code null}
     */
    public static String duration(@Nullable Duration duration) {
        if (duration == null) {
            return "?";
        }
        long seconds = duration.getSeconds();
        if (seconds >= 3600) {
            return String.format(Locale.ROOT, "%dh%02dm%02ds", seconds / 3600, (seconds % 3600) / 60, seconds % 60);
        }
        if (seconds >= 60) {
            return String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
        }
        return String.format(Locale.ROOT, "%.1fs", duration.toMillis() / 1000.0);
    }

    /**
     * Format a progress line, e.g.
     * {@code tokens: 45% (450,000 of ~1,000,000), 440,000 written, 9,000 skipped, 12 rejected, 61,000 rows/s, ETA 9.0s}.
     * @param progress the progress
     * @return the line
     */
    public static String line(BackfillProgress progress) {
        StringBuilder line = new StringBuilder();
        line.append(progress.repository()).append(": ").append(progress.state().name().toLowerCase(Locale.ROOT));
        line.append(String.format(Locale.ROOT, " %d%% (%,d read", progress.percent(), progress.rowsRead()));
        if (progress.estimatedTotal() >= 0) {
            line.append(String.format(Locale.ROOT, " of ~%,d", progress.estimatedTotal()));
        }
        line.append(String.format(Locale.ROOT, "), %,d %s, %,d skipped, ", progress.rowsWritten(),
                progress.dryRun() ? "would be written" : "written", progress.rowsSkipped()));
        line.append(caughtUp(progress.mode(), progress.dryRun(), progress.rowsRefreshed(), progress.rowsRemoved()));
        line.append(String.format(Locale.ROOT, "%,d rejected, %,.0f rows/s", progress.rowsRejected(),
                progress.rowsPerSecond()));
        if (progress.rateLimit() > 0) {
            line.append(String.format(Locale.ROOT, " (limit %,.0f)", progress.rateLimit()));
        }
        line.append(", ETA ").append(duration(progress.eta()));
        return line.toString();
    }

    // A catch-up's own counts, "12 refreshed, 3 removed, " (empty for an insert-only run).
    static String caughtUp(BackfillMode mode, boolean dryRun, long refreshed, long removed) {
        if (mode != BackfillMode.CATCH_UP) {
            return "";
        }
        return String.format(Locale.ROOT, "%,d %s, %,d %s, ", refreshed, dryRun ? "stale" : "refreshed", removed,
                dryRun ? "without key" : "removed");
    }

    /**
     * Format a progress bar of a given width, e.g. {@code [#########...........]  45%}.
     * @param fraction 0 to 1
     * @param width characters between the brackets
     * @return the bar
     */
    public static String bar(double fraction, int width) {
        int filled = (int) Math.round(Math.max(0, Math.min(1, fraction)) * width);
        return "[" + "#".repeat(filled) + ".".repeat(width - filled) + "] "
                + String.format(Locale.ROOT, "%3d%%", (int) Math.floor(fraction * 100));
    }

}
