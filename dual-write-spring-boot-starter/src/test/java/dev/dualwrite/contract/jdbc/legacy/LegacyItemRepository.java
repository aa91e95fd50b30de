package dev.dualwrite.contract.jdbc.legacy;

import java.util.List;

import dev.dualwrite.contract.jdbc.JdbcItem;

import org.springframework.data.repository.CrudRepository;

/**
 * The application's repository on the old schema: the old store of {@code jdbc_items}.
 */
public interface LegacyItemRepository extends CrudRepository<JdbcItem, String> {

    List<JdbcItem> findByCategory(String category);

    List<JdbcItem> findByName(String name);

    long deleteByCategory(String category);

}
