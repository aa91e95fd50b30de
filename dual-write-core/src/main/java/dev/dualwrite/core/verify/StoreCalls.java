package dev.dualwrite.core.verify;

import java.util.function.Supplier;

/** Calls of the verifier to Redis and PostgreSQL. */
final class StoreCalls {

    private static final int ATTEMPTS = 3;

    private StoreCalls() {
    }

    /**
     * Call a store, retried a few times: a verification of millions of keys should not fail on
     * one dropped connection.
     */
    static <T> T retried(Supplier<T> call) {
        RuntimeException last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                return call.get();
            }
            catch (RuntimeException ex) {
                last = ex;
                try {
                    Thread.sleep(200L * attempt);
                }
                catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        throw last;
    }

}
