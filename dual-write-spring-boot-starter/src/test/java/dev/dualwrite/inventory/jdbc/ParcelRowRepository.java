package dev.dualwrite.inventory.jdbc;

import dev.dualwrite.inventory.Parcel;

import org.springframework.data.repository.CrudRepository;

public interface ParcelRowRepository extends CrudRepository<Parcel, String> {

}
