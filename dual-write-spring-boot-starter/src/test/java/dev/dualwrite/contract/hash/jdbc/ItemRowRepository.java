package dev.dualwrite.contract.hash.jdbc;

import java.util.List;

import dev.dualwrite.contract.hash.Item;

import org.springframework.data.repository.CrudRepository;

public interface ItemRowRepository extends CrudRepository<Item, String> {

    List<Item> findByCategory(String category);

}
