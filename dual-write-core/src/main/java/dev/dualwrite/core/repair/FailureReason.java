package dev.dualwrite.core.repair;

/**
 * Turns an exception into a short reason fit for repair records, logs and meters.
 * <p>
 * Only the first line of the innermost message is kept: database drivers put row values
 * in later lines ({@code Detail: Key (email)=(...)}), and values may be personal data.
 */
public final class FailureReason {

    private static final int MAX_LENGTH = 300;

    private FailureReason() {
    }

    /**
     * Describe a failure as {@code ExceptionType: first line of message}.
     * @param failure the failure
     * @return a short, value-free description
     */
    public static String describe(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        String firstLine = (message != null) ? message.lines().findFirst().orElse("").strip() : "";
        String reason = root.getClass().getSimpleName() + (firstLine.isEmpty() ? "" : ": " + firstLine);
        return (reason.length() > MAX_LENGTH) ? reason.substring(0, MAX_LENGTH) + "..." : reason;
    }

}
