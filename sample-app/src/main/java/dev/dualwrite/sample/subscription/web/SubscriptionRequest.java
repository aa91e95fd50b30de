package dev.dualwrite.sample.subscription.web;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

import dev.dualwrite.sample.subscription.PremiumSubscription;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;

/**
 * The body of {@code PUT /subscriptions/{email}}; the limits are those of the
 * {@code subscriptions} table.
 * @param plan the plan, e.g. {@code monthly}
 * @param status the status, e.g. {@code active}
 * @param startedAt when the subscription started
 * @param expiresAt when it expires, if it does
 * @param fid the subscriber's Farcaster id
 */
public record SubscriptionRequest(
        @NotBlank @Size(max = 50) String plan,
        @NotBlank @Size(max = 20) String status,
        @NotNull Instant startedAt,
        @Nullable Instant expiresAt,
        @Nullable @Positive Long fid) {

    PremiumSubscription toSubscription(String email) {
        // PostgreSQL keeps microseconds; finer digits would make the two stores differ.
        return new PremiumSubscription(email, this.plan, this.status, this.startedAt.truncatedTo(ChronoUnit.MICROS),
                (this.expiresAt != null) ? this.expiresAt.truncatedTo(ChronoUnit.MICROS) : null, this.fid);
    }

}
