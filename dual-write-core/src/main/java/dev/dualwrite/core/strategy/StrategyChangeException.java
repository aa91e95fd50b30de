package dev.dualwrite.core.strategy;

/**
 * Thrown when a strategy change is refused; the message says why and what to do instead.
 */
public class StrategyChangeException extends IllegalStateException {

    public StrategyChangeException(String message) {
        super(message);
    }

}
