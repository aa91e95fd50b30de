package com.example.customers.legacy;

import com.example.customers.Customer;

import org.springframework.data.repository.CrudRepository;

public interface LegacyCustomerRepository extends CrudRepository<Customer, Long> {

}
