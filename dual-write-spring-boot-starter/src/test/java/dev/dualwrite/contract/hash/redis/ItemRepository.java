package dev.dualwrite.contract.hash.redis;

import java.util.List;

import dev.dualwrite.contract.hash.Item;

import org.springframework.data.repository.CrudRepository;

public interface ItemRepository extends CrudRepository<Item, String>, ItemRepositoryCustom {

    List<Item> findByCategory(String category);

    List<Item> findByName(String name);

    long deleteByCategory(String category);

}
