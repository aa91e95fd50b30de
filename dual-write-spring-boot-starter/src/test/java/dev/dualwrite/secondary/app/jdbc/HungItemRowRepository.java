package dev.dualwrite.secondary.app.jdbc;

import dev.dualwrite.secondary.app.HungItem;

import org.springframework.data.repository.CrudRepository;

public interface HungItemRowRepository extends CrudRepository<HungItem, String> {

}
