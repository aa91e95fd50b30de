package dev.dualwrite.core.strategy;

/**
 * One condition of a stage move, as it stood when the move was decided.
 * @param gate what was checked, for example {@code instances} or {@code backfill}
 * @param passed whether the condition held
 * @param detail what was seen, with its figures, and what to do when it did not hold
 */
public record GateCheck(String gate, boolean passed, String detail) {

    @Override
    public String toString() {
        return this.gate + (this.passed ? " passed: " : " FAILED: ") + this.detail;
    }

}
