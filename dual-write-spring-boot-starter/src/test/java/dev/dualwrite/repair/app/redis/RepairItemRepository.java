package dev.dualwrite.repair.app.redis;

import dev.dualwrite.repair.app.RepairItem;

import org.springframework.data.repository.CrudRepository;

public interface RepairItemRepository extends CrudRepository<RepairItem, String> {

}
