package dev.dualwrite.core.routing;

import java.util.Map;

import org.springframework.util.Assert;

/**
 * How one repository's reads are spread while both stores are written: the share of reads
 * that stage {@code DUAL} sends to PostgreSQL (ramped reads), and the share of reads that
 * are also read from the other store and compared (shadow reads).
 * @param readPercent share of reads (0..100) that {@code DUAL} serves from PostgreSQL
 * @param readPercentByMethod per repository method name, overriding {@code readPercent}
 * @param shadowReadPercent share of reads (0..100) compared with the other store in
 * {@code DUAL} and {@code POSTGRES_PRIMARY}
 */
public record ReadRouting(int readPercent, Map<String, Integer> readPercentByMethod, int shadowReadPercent) {

    /** All reads from the stage's read store, none compared. */
    public static final ReadRouting NONE = new ReadRouting(0, Map.of(), 0);

    public ReadRouting {
        checkPercent("readPercent", readPercent);
        checkPercent("shadowReadPercent", shadowReadPercent);
        readPercentByMethod.forEach((method, percent) -> checkPercent("readPercentByMethod." + method, percent));
        readPercentByMethod = Map.copyOf(readPercentByMethod);
    }

    /**
     * Return the share of a method's reads that {@code DUAL} sends to PostgreSQL.
     * @param method the repository method name
     * @return a percentage
     */
    public int readPercentOf(String method) {
        return this.readPercentByMethod.getOrDefault(method, this.readPercent);
    }

    private static void checkPercent(String name, int percent) {
        Assert.isTrue(percent >= 0 && percent <= 100, () -> name + " must be between 0 and 100, was " + percent);
    }

}
