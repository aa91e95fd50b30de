/**
 * The backfill: copies everything a repository holds in Redis into its PostgreSQL table while
 * live writes continue (stage {@code DUAL}), fast, resumable from a durable checkpoint,
 * throttled, with dry run, rejects set aside and a final report. Entry point: {@link
 * dev.dualwrite.core.backfill.Backfill}.
 */
@NullMarked
package dev.dualwrite.core.backfill;

import org.jspecify.annotations.NullMarked;
