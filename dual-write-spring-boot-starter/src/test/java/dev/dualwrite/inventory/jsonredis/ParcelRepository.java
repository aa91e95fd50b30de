package dev.dualwrite.inventory.jsonredis;

import dev.dualwrite.inventory.Parcel;

import org.springframework.data.repository.CrudRepository;

public interface ParcelRepository extends CrudRepository<Parcel, String> {

}
