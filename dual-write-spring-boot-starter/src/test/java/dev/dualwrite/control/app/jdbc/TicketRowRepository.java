package dev.dualwrite.control.app.jdbc;

import dev.dualwrite.control.app.Ticket;

import org.springframework.data.repository.CrudRepository;

public interface TicketRowRepository extends CrudRepository<Ticket, String> {

}
