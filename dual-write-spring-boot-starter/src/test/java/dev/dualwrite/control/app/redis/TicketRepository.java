package dev.dualwrite.control.app.redis;

import dev.dualwrite.control.app.Ticket;

import org.springframework.data.repository.CrudRepository;

public interface TicketRepository extends CrudRepository<Ticket, String> {

}
