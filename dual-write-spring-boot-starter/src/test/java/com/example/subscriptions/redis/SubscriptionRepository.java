package com.example.subscriptions.redis;

import com.example.subscriptions.Subscription;

import org.springframework.data.repository.CrudRepository;

/**
 * The application's existing Redis repository of the README's quick start (not shown there).
 */
public interface SubscriptionRepository extends CrudRepository<Subscription, String> {

}
