package dev.dualwrite.contract.jdbc.postgres;

import java.util.List;

import dev.dualwrite.contract.jdbc.JdbcItem;

import org.springframework.data.repository.CrudRepository;

/**
 * The new store's repository of {@code jdbc_items}, on the primary {@code DataSource}. It
 * declares no {@code findByName}: a read the old repository alone has.
 */
public interface NewItemRepository extends CrudRepository<JdbcItem, String> {

    List<JdbcItem> findByCategory(String category);

}
