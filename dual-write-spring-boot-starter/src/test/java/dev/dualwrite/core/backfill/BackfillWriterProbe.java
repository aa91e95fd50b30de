package dev.dualwrite.core.backfill;

import dev.dualwrite.core.backfill.PostgresBatchWriter.InsertWay;

/**
 * Test access to how a repository's backfill inserted its rows (COPY, multi-row statements or
 * one by one through Spring Data JDBC), counted by its {@link PostgresBatchWriter} since the
 * application started.
 */
public final class BackfillWriterProbe {

    private BackfillWriterProbe() {
    }

    public static long rowsCopied(Backfill backfill, String repository) {
        return writer(backfill, repository).rowsInsertedBy(InsertWay.COPY);
    }

    public static long rowsInsertedByMultiRowStatements(Backfill backfill, String repository) {
        return writer(backfill, repository).rowsInsertedBy(InsertWay.MULTI_ROW_INSERT);
    }

    public static long rowsInsertedOneByOne(Backfill backfill, String repository) {
        return writer(backfill, repository).rowsInsertedBy(InsertWay.ONE_BY_ONE);
    }

    private static PostgresBatchWriter<?> writer(Backfill backfill, String repository) {
        return backfill.source(repository).writer();
    }

}
