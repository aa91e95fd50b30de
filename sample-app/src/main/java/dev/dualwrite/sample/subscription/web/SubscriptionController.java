package dev.dualwrite.sample.subscription.web;

import java.net.URI;
import java.util.List;

import dev.dualwrite.sample.subscription.PremiumSubscription;
import dev.dualwrite.sample.subscription.redis.SubscriptionRepository;
import dev.dualwrite.sample.web.ResourceNotFoundException;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.Size;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * The premium subscription API, over {@link SubscriptionRepository} only.
 */
@RestController
@RequestMapping("/subscriptions")
class SubscriptionController {

    private final SubscriptionRepository subscriptions;

    SubscriptionController(SubscriptionRepository subscriptions) {
        this.subscriptions = subscriptions;
    }

    @PutMapping("/{email}")
    ResponseEntity<PremiumSubscription> put(@PathVariable @Email @Size(max = 320) String email,
            @Valid @RequestBody SubscriptionRequest request) {
        boolean existed = this.subscriptions.existsById(email);
        PremiumSubscription saved = this.subscriptions.save(request.toSubscription(email));
        return existed ? ResponseEntity.ok(saved)
                : ResponseEntity.created(URI.create("/subscriptions/" + email)).body(saved);
    }

    @GetMapping("/{email}")
    PremiumSubscription get(@PathVariable String email) {
        return this.subscriptions.findById(email).orElseThrow(() -> notFound(email));
    }

    @DeleteMapping("/{email}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(@PathVariable String email) {
        if (!this.subscriptions.existsById(email)) {
            throw notFound(email);
        }
        this.subscriptions.deleteById(email);
    }

    @GetMapping(params = "fid")
    List<PremiumSubscription> byFid(@RequestParam("fid") Long fid) {
        return this.subscriptions.findByFid(fid);
    }

    private static ResourceNotFoundException notFound(String email) {
        return new ResourceNotFoundException("Subscription of '" + email + "' not found");
    }

}
