package dev.dualwrite.core.backfill;

import java.sql.SQLException;

import org.jspecify.annotations.Nullable;

import org.springframework.core.NestedExceptionUtils;
import org.springframework.dao.DataIntegrityViolationException;

/**
 * How the backfill tells a bad row from a failing store, and how it words errors without
 * quoting values (rows may hold personal data).
 */
final class BackfillErrors {

    private BackfillErrors() {
    }

    // Data errors (class 22: data exception, class 23: integrity constraint violation) belong
    // to a row and set it aside; anything else (a connection lost, a store down) is retried.
    static boolean isDataProblem(Throwable ex) {
        if (ex instanceof DataIntegrityViolationException) {
            return true;
        }
        String state = sqlState(ex);
        return state != null && (state.startsWith("22") || state.startsWith("23"));
    }

    private static @Nullable String sqlState(Throwable ex) {
        for (Throwable cause = ex; cause != null; cause = (cause.getCause() != cause) ? cause.getCause() : null) {
            if (cause instanceof SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState();
            }
        }
        return null;
    }

    // PostgreSQL's first message line names the constraint or column; its "Detail" line quotes
    // the row, which may be personal data, and is left out.
    static String sqlProblem(Throwable ex) {
        for (Throwable cause = ex; cause != null; cause = (cause.getCause() != cause) ? cause.getCause() : null) {
            if (cause instanceof SQLException sql) {
                String message = String.valueOf(sql.getMessage());
                int newline = message.indexOf('\n');
                return ((newline > 0) ? message.substring(0, newline) : message).trim() + " (SQL state "
                        + sql.getSQLState() + ")";
            }
        }
        return ex.getClass().getSimpleName();
    }

    static String describe(@Nullable Throwable ex) {
        if (ex == null) {
            return "unknown error";
        }
        String message = ex.getMessage();
        Throwable cause = NestedExceptionUtils.getMostSpecificCause(ex);
        if (cause != ex && cause instanceof SQLException sql) {
            // First line only: PostgreSQL's "Detail" line may quote row values.
            String first = String.valueOf(sql.getMessage()).split("\n")[0];
            message = ((message != null) ? message + ": " : "") + first;
        }
        if (message != null && message.length() > 300) {
            message = message.substring(0, 300) + "...";
        }
        return ex.getClass().getSimpleName() + ((message != null) ? ": " + message : "");
    }

}
