package dev.dualwrite.core.store.scan;

import dev.dualwrite.testsupport.contract.AbstractOldStoreScannerContractTests;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The scanner contract over a {@code scan_item (id, name, status)} table, whatever the
 * database and the id type: a status the entity's enum does not know is the reject case.
 * @param <R> the entity type
 * @param <ID> the id type
 */
abstract class ScanItemTableContractTests<R, ID> extends AbstractOldStoreScannerContractTests<R, ID> {

    /** The database holding {@code scan_item}. */
    protected abstract JdbcTemplate jdbc();

    @Override
    protected void put(ID id, String name) {
        jdbc().update("insert into scan_item (id, name, status) values (?, ?, 'ACTIVE')", id, name);
    }

    @Override
    protected void delete(ID id) {
        jdbc().update("delete from scan_item where id = ?", id);
    }

    @Override
    protected void clear() {
        jdbc().update("delete from scan_item");
    }

    @Override
    protected boolean putUnreadable(ID id) {
        jdbc().update("insert into scan_item (id, name, status) values (?, 'unreadable', 'NO_SUCH_STATUS')", id);
        return true;
    }

    enum Status {

        ACTIVE, CLOSED

    }

}
