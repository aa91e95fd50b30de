package dev.dualwrite.contract.json.jdbc;

import java.util.List;

import dev.dualwrite.contract.json.JsonItem;

import org.springframework.data.repository.CrudRepository;

public interface JsonItemRowRepository extends CrudRepository<JsonItem, String> {

    List<JsonItem> findByCategory(String category);

}
