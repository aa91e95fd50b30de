package dev.dualwrite.control.app;

import dev.dualwrite.core.redis.json.RedisJson;

import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.Table;

/**
 * One domain type for both stores: a JSON string under a key prefix each test class chooses
 * (so that classes, and runs of other checkouts on the same server, never share keys) and a
 * row of {@code control_tickets}.
 * @param id the key's id
 * @param owner who wrote this value: the instance and writer thread
 * @param version a number unique to each write of the writer, so every value is told apart
 */
@RedisJson(keyPrefix = "${" + Ticket.PREFIX_PROPERTY + "}")
@Table("control_tickets")
public record Ticket(@Id String id, String owner, long version) {

    /** The property holding the key prefix. */
    public static final String PREFIX_PROPERTY = "dwtest.control.key-prefix";

}
