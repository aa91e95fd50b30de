package com.example.subscriptions;

import com.example.subscriptions.jdbc.SubscriptionRowRepository;
import com.example.subscriptions.redis.SubscriptionRepository;

import org.springframework.context.annotation.Configuration;
import org.springframework.data.jdbc.repository.config.EnableJdbcRepositories;
import org.springframework.data.redis.repository.configuration.EnableRedisRepositories;

@Configuration(proxyBeanMethods = false)
@EnableRedisRepositories(basePackageClasses = SubscriptionRepository.class)   // JSON strings: see step 4
@EnableJdbcRepositories(basePackageClasses = SubscriptionRowRepository.class)
class RepositoriesConfiguration {

}
