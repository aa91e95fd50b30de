package dev.dualwrite.sample.subscription.postgres;

import java.util.List;

import dev.dualwrite.sample.subscription.PremiumSubscription;

import org.springframework.data.repository.ListCrudRepository;

/**
 * The PostgreSQL side of subscriptions, with the same finder as the Redis repository so that
 * reads can move to PostgreSQL; the application never injects it.
 */
public interface SubscriptionRowRepository extends ListCrudRepository<PremiumSubscription, String> {

    List<PremiumSubscription> findByFid(Long fid);

}
