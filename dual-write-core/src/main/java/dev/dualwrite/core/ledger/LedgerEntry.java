package dev.dualwrite.core.ledger;

import java.time.Instant;

import dev.dualwrite.core.strategy.WriteStrategy;
import org.jspecify.annotations.Nullable;

/**
 * One line of the {@link Ledger}. Entries about to be appended are made with
 * {@link #of(String, LedgerAction, String)} and the {@code with...} methods; their id and time
 * are given by the ledger.
 * @param id the entry's number, increasing with time; 0 before it is appended
 * @param at when it was appended, by the database's clock
 * @param repository the repository it is about
 * @param action what happened
 * @param from the stage before a stage change
 * @param to the stage after a stage change, or the stage an operation ran at
 * @param epoch the epoch of the stage after a stage change, or the epoch an operation ran at
 * @param actor who did it: an operator's name, {@code configuration}, {@code application} or
 * {@code dual-write}
 * @param reason why, as the actor gave it
 * @param forced whether a condition that did not hold was overridden
 * @param mode how an operation ran, for example {@code FULL} for a verification or
 * {@code DRY_RUN} for a backfill
 * @param outcome how it ended, for example {@code COMPLETED} or {@code AGREE}
 * @param startedAt when the operation an end entry closes started, by the database's clock
 * @param details what was seen and counted, for people to read
 */
public record LedgerEntry(long id, @Nullable Instant at, String repository, LedgerAction action,
        @Nullable WriteStrategy from, @Nullable WriteStrategy to, long epoch, String actor, @Nullable String reason,
        boolean forced, @Nullable String mode, @Nullable String outcome, @Nullable Instant startedAt,
        @Nullable String details) {

    /**
     * Start an entry to append.
     * @param repository the repository it is about
     * @param action what happened
     * @param actor who did it
     * @return the entry, without stages, reason or outcome
     */
    public static LedgerEntry of(String repository, LedgerAction action, String actor) {
        return new LedgerEntry(0, null, repository, action, null, null, 0, actor, null, false, null, null, null, null);
    }

    public LedgerEntry withStages(@Nullable WriteStrategy from, @Nullable WriteStrategy to, long epoch) {
        return new LedgerEntry(this.id, this.at, this.repository, this.action, from, to, epoch, this.actor,
                this.reason, this.forced, this.mode, this.outcome, this.startedAt, this.details);
    }

    public LedgerEntry withReason(@Nullable String reason, boolean forced) {
        return new LedgerEntry(this.id, this.at, this.repository, this.action, this.from, this.to, this.epoch,
                this.actor, reason, forced, this.mode, this.outcome, this.startedAt, this.details);
    }

    public LedgerEntry withResult(@Nullable String mode, @Nullable String outcome, @Nullable Instant startedAt) {
        return new LedgerEntry(this.id, this.at, this.repository, this.action, this.from, this.to, this.epoch,
                this.actor, this.reason, this.forced, mode, outcome, startedAt, this.details);
    }

    public LedgerEntry withDetails(@Nullable String details) {
        return new LedgerEntry(this.id, this.at, this.repository, this.action, this.from, this.to, this.epoch,
                this.actor, this.reason, this.forced, this.mode, this.outcome, this.startedAt, details);
    }

}
