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

    // The exception's kind and one line: for a database error PostgreSQL's own first line and
    // SQL state (Spring's message quotes the whole statement, and later lines of either may
    // quote row values), otherwise the first line of the exception's message.
    static String describe(@Nullable Throwable ex) {
        if (ex == null) {
            return "unknown error";
        }
        Throwable cause = NestedExceptionUtils.getMostSpecificCause(ex);
        String message = (cause != ex && cause instanceof SQLException) ? sqlProblem(cause)
                : (ex.getMessage() != null) ? ex.getMessage().lines().findFirst().orElse("").strip() : "";
        String described = ex.getClass().getSimpleName() + (message.isEmpty() ? "" : ": " + message);
        return (described.length() > 300) ? described.substring(0, 300) + "..." : described;
    }

}
