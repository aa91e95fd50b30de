package dev.dualwrite.contract.json.redis;

import java.util.List;

import dev.dualwrite.contract.json.JsonItem;

import org.springframework.data.repository.CrudRepository;

public interface JsonItemRepository extends CrudRepository<JsonItem, String> {

    List<JsonItem> findByCategory(String category);

    List<JsonItem> findByName(String name);

    long deleteByCategory(String category);

}
