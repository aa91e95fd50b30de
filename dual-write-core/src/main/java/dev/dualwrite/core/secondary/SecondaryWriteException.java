package dev.dualwrite.core.secondary;

import dev.dualwrite.core.strategy.Store;

import org.springframework.dao.DataAccessResourceFailureException;

/**
 * A secondary-store write failed under {@link FailurePolicy#STRICT}, or failed and could
 * not even be recorded for repair. The primary store holds the write.
 */
public class SecondaryWriteException extends DataAccessResourceFailureException {

    public SecondaryWriteException(String repository, String key, Store store, String detail, Throwable cause) {
        super("Repository '" + repository + "': write of key '" + key + "' to the secondary store " + store
                + " failed (" + detail + "); the primary store holds the write", cause);
    }

}
