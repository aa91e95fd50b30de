package dev.dualwrite.repair.app.jdbc;

import dev.dualwrite.repair.app.RepairItem;

import org.springframework.data.repository.CrudRepository;

public interface RepairItemRowRepository extends CrudRepository<RepairItem, String> {

}
