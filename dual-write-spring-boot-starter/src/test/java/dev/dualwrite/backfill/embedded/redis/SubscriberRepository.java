package dev.dualwrite.backfill.embedded.redis;

import dev.dualwrite.backfill.embedded.Subscriber;

import org.springframework.data.repository.CrudRepository;

public interface SubscriberRepository extends CrudRepository<Subscriber, String> {

}
