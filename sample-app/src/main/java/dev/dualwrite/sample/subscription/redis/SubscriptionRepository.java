package dev.dualwrite.sample.subscription.redis;

import java.util.List;

import dev.dualwrite.sample.subscription.PremiumSubscription;

import org.springframework.data.repository.ListCrudRepository;

/**
 * The service's own subscription repository (Spring Data Redis), the only one its code
 * injects.
 */
public interface SubscriptionRepository extends ListCrudRepository<PremiumSubscription, String> {

    List<PremiumSubscription> findByFid(Long fid);

}
