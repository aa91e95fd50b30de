package dev.dualwrite.sample.client.web;

import java.net.URI;
import java.time.Clock;
import java.util.Optional;

import dev.dualwrite.sample.client.Client;
import dev.dualwrite.sample.client.sqlite.ClientRepository;
import dev.dualwrite.sample.web.ResourceNotFoundException;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Pattern;

import org.springframework.context.annotation.Profile;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * The client API (profile {@code sqlite}), over {@link ClientRepository} only, as the service
 * was written before the migration.
 */
@RestController
@RequestMapping("/clients")
@Profile("sqlite")
class ClientController {

    private final ClientRepository clients;

    private final Clock clock = Clock.systemUTC();

    ClientController(ClientRepository clients) {
        this.clients = clients;
    }

    @PutMapping("/{id}")
    ResponseEntity<ClientResponse> put(@PathVariable @Pattern(regexp = "[A-Za-z0-9_-]{1,64}") String id,
            @Valid @RequestBody ClientRequest request) {
        Optional<Client> existing = this.clients.findById(id);
        Client client = existing.map((stored) -> stored.changed(request.name(), request.contactEmail()))
            .orElseGet(() -> Client.register(id, request.name(), request.contactEmail(), this.clock.instant()));
        ClientResponse saved = ClientResponse.of(this.clients.save(client));
        return existing.isPresent() ? ResponseEntity.ok(saved)
                : ResponseEntity.created(URI.create("/clients/" + id)).body(saved);
    }

    @GetMapping("/{id}")
    ClientResponse get(@PathVariable String id) {
        return this.clients.findById(id).map(ClientResponse::of).orElseThrow(() -> notFound(id));
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(@PathVariable String id) {
        if (!this.clients.existsById(id)) {
            throw notFound(id);
        }
        this.clients.deleteById(id);
    }

    private static ResourceNotFoundException notFound(String id) {
        return new ResourceNotFoundException("Client '" + id + "' not found");
    }

}
