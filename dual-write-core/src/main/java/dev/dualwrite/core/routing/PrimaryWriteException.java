package dev.dualwrite.core.routing;

import dev.dualwrite.core.strategy.Store;

import org.springframework.dao.DataAccessException;

/**
 * A write to the primary store failed; the secondary store was not written. The cause is
 * the store's own exception.
 */
public class PrimaryWriteException extends DataAccessException {

    public PrimaryWriteException(String repository, String operation, String key, Store store, Throwable cause) {
        super("Repository '" + repository + "': " + operation + " of key '" + key + "' in the primary store " + store
                + " failed; nothing was written to the other store", cause);
    }

}
