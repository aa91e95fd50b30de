package dev.dualwrite.sample.token.web;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.dualwrite.sample.token.Token;
import dev.dualwrite.sample.token.redis.TokenRepository;
import dev.dualwrite.sample.web.InvalidFieldException;
import dev.dualwrite.sample.web.ResourceConflictException;
import dev.dualwrite.sample.web.ResourceNotFoundException;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * The token API. It talks to {@link TokenRepository} only, the service's own interface:
 * whichever store serves a call is the dual-write starter's business, not the controller's.
 */
@RestController
@RequestMapping("/tokens")
class TokenController {

    private final TokenRepository tokens;

    TokenController(TokenRepository tokens) {
        this.tokens = tokens;
    }

    // Check-then-save: two concurrent creates of one id may both pass; acceptable for a demo
    // whose ids come from the minting pipeline, and the stores stay consistent either way.
    @PostMapping
    ResponseEntity<Token> create(@Valid @RequestBody TokenRequest request) {
        String id = request.id();
        if (id == null) {
            throw new InvalidFieldException("id", "must not be null");
        }
        if (this.tokens.existsById(id)) {
            throw new ResourceConflictException("Token '" + id + "' already exists; use PUT /tokens/" + id + " to replace it");
        }
        Token saved = this.tokens.save(request.toToken(id, Instant.now()));
        return ResponseEntity.created(URI.create("/tokens/" + id)).body(saved);
    }

    @PutMapping("/{id}")
    ResponseEntity<Token> put(@PathVariable @Pattern(regexp = TokenRequest.ID) String id,
            @Valid @RequestBody TokenRequest request) {
        if (request.id() != null && !request.id().equals(id)) {
            throw new InvalidFieldException("id", "must be absent or equal to the id in the path ('" + id + "')");
        }
        boolean existed = this.tokens.existsById(id);
        Token saved = this.tokens.save(request.toToken(id, Instant.now()));
        return existed ? ResponseEntity.ok(saved) : ResponseEntity.created(URI.create("/tokens/" + id)).body(saved);
    }

    @GetMapping("/{id}")
    Token get(@PathVariable String id) {
        return this.tokens.findById(id).orElseThrow(() -> notFound(id));
    }

    @DeleteMapping("/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(@PathVariable String id) {
        if (!this.tokens.existsById(id)) {
            throw notFound(id);
        }
        this.tokens.deleteById(id);
    }

    @GetMapping(params = "holder")
    List<Token> byHolder(@RequestParam("holder") @NotBlank String holder) {
        return this.tokens.findByHolderAddress(holder);
    }

    @GetMapping(params = "fid")
    List<Token> byFid(@RequestParam("fid") Long fid) {
        return this.tokens.findByHolderFid(fid);
    }

    @DeleteMapping(params = "holder")
    Map<String, Long> deleteByHolder(@RequestParam("holder") @NotBlank String holder) {
        return Map.of("deleted", this.tokens.deleteByHolderAddress(holder));
    }

    private static ResourceNotFoundException notFound(String id) {
        return new ResourceNotFoundException("Token '" + id + "' not found");
    }

}
