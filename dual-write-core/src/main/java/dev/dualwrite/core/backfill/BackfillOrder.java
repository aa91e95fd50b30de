package dev.dualwrite.core.backfill;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

import org.springframework.util.Assert;

/**
 * The place of one repository in a job: its priority and the repositories it depends on
 * (for example the ones its foreign keys point to), which always run first.
 * @param priority the priority among repositories that are ready to run
 * @param dependsOn names of repositories that must be backfilled before this one
 */
public record BackfillOrder(BackfillPriority priority, List<String> dependsOn) {

    public static final BackfillOrder DEFAULT = new BackfillOrder(BackfillPriority.MEDIUM, List.of());

    public BackfillOrder {
        Assert.notNull(priority, "priority must not be null");
        dependsOn = List.copyOf(dependsOn);
    }

    /**
     * Resolve the order in which a job runs repositories: the requested ones plus the
     * dependencies that still need a backfill, dependencies first, then by priority, then in
     * the order given.
     * @param requested the repositories asked for
     * @param known every repository, in declaration order
     * @param orders the order of each repository (missing ones get {@link #DEFAULT})
     * @param completed tells whether a repository's backfill already completed, so that a
     * dependency that did is not run again
     * @return the repositories in the order to run them
     * @throws IllegalArgumentException for an unknown name or a dependency cycle
     */
    public static List<String> resolve(Collection<String> requested, List<String> known,
            Map<String, BackfillOrder> orders, Predicate<String> completed) {
        Set<String> included = new LinkedHashSet<>();
        List<String> pending = new ArrayList<>(requested);
        for (String name : requested) {
            check(name, known, "");
        }
        while (!pending.isEmpty()) {
            String name = pending.remove(0);
            if (!included.add(name)) {
                continue;
            }
            for (String dependency : orderOf(name, orders).dependsOn()) {
                check(dependency, known, " (a dependency of '" + name + "')");
                if (!requested.contains(dependency) && completed.test(dependency)) {
                    continue;
                }
                pending.add(dependency);
            }
        }
        Map<String, Integer> position = new LinkedHashMap<>();
        for (String name : known) {
            position.put(name, position.size());
        }
        Comparator<String> byPriority = Comparator.comparing((String name) -> orderOf(name, orders).priority())
            .thenComparing(position::get);
        List<String> ordered = new ArrayList<>();
        Set<String> remaining = new LinkedHashSet<>(included);
        while (!remaining.isEmpty()) {
            String next = remaining.stream()
                .filter((name) -> orderOf(name, orders).dependsOn().stream().noneMatch(remaining::contains))
                .min(byPriority)
                .orElseThrow(() -> new IllegalArgumentException(
                        "The backfill order of repositories " + remaining + " has a dependency cycle"));
            ordered.add(next);
            remaining.remove(next);
        }
        return ordered;
    }

    private static BackfillOrder orderOf(String name, Map<String, BackfillOrder> orders) {
        return orders.getOrDefault(name, DEFAULT);
    }

    private static void check(String name, List<String> known, String context) {
        if (!known.contains(name)) {
            throw new IllegalArgumentException("No paired repository is named '" + name + "'" + context
                    + "; paired repositories: " + known);
        }
    }

}
