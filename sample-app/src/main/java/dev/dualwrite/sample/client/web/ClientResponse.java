package dev.dualwrite.sample.client.web;

import java.time.Instant;

import dev.dualwrite.sample.client.Client;
import org.jspecify.annotations.Nullable;

/**
 * A client as the API shows it.
 * @param id the client id
 * @param name its display name
 * @param contactEmail whom to tell about it, if anyone
 * @param registeredAt when it was registered
 */
public record ClientResponse(String id, String name, @Nullable String contactEmail, Instant registeredAt) {

    static ClientResponse of(Client client) {
        return new ClientResponse(client.getId(), client.getName(), client.getContactEmail(),
                client.getRegisteredAt());
    }

}
