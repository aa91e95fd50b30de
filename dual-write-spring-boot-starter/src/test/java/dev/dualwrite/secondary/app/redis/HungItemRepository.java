package dev.dualwrite.secondary.app.redis;

import dev.dualwrite.secondary.app.HungItem;

import org.springframework.data.repository.CrudRepository;

public interface HungItemRepository extends CrudRepository<HungItem, String> {

}
