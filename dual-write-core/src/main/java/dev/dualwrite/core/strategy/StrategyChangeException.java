package dev.dualwrite.core.strategy;

import java.util.List;

/**
 * Thrown when a strategy change is refused; the message says why and what to do instead.
 */
public class StrategyChangeException extends IllegalStateException {

    private final List<GateCheck> gates;

    public StrategyChangeException(String message) {
        this(message, List.of());
    }

    /**
     * @param message why the change was refused, and what to do
     * @param gates the conditions checked, passed and failed, with what they saw
     */
    public StrategyChangeException(String message, List<GateCheck> gates) {
        super(message);
        this.gates = List.copyOf(gates);
    }

    /**
     * Return the conditions that were checked before the change was refused.
     * @return the checks, empty when the change was refused before any was made
     */
    public List<GateCheck> gates() {
        return this.gates;
    }

}
