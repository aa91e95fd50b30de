package com.example.subscriptions.jdbc;

import com.example.subscriptions.Subscription;

import org.springframework.data.repository.CrudRepository;

/**
 * The Spring Data JDBC repository the README's quick start adds (not shown there).
 */
public interface SubscriptionRowRepository extends CrudRepository<Subscription, String> {

}
