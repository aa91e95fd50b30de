package dev.dualwrite.core.control;

import dev.dualwrite.core.strategy.WriteStrategy;
import org.jspecify.annotations.Nullable;

/**
 * Told each time this instance applies a newer stage of a repository to its new calls:
 * when it registers the repository, when a move is made here, and when it reads a move made
 * on another instance. Register one with {@link ControlPlane#addStageListener}.
 * <p>
 * Called on the thread that applied the stage, after the stage is applied and outside any
 * lock; keep it quick. Notifications of one repository may arrive out of epoch order when a
 * move made here and a poll race; compare epochs to keep the newest. An exception is logged
 * and does not undo the stage.
 */
@FunctionalInterface
public interface StageListener {

    /**
     * A repository's stage was applied here.
     * @param repository the repository name
     * @param previous the stage this instance applied before, or {@code null} when it applies
     * the repository's first stage (at registration)
     * @param strategy the stage now applied to new calls
     * @param epoch its epoch
     */
    void applied(String repository, @Nullable WriteStrategy previous, WriteStrategy strategy, long epoch);

}
