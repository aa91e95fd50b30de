package dev.dualwrite.backfill.embedded.jdbc;

import dev.dualwrite.backfill.embedded.Subscriber;

import org.springframework.data.repository.CrudRepository;

public interface SubscriberRowRepository extends CrudRepository<Subscriber, String> {

}
