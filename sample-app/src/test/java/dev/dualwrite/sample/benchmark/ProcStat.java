package dev.dualwrite.sample.benchmark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.jspecify.annotations.Nullable;

/**
 * What the benchmark reads of one {@code stat} file of Linux's {@code /proc} (a process's or a
 * thread's): its name and the CPU time it used, and, for a process, the CPU time of its
 * children that have exited and that it has reaped.
 * @param name the name ({@code comm}): its first 15 characters
 * @param cpuNanos user and system time ({@code utime}, {@code stime})
 * @param reapedChildrenCpuNanos user and system time of its reaped children ({@code cutime},
 * {@code cstime})
 */
record ProcStat(String name, long cpuNanos, long reapedChildrenCpuNanos) {

    // USER_HZ: the unit of the times in stat, 100 on every Linux that Java runs on.
    private static final long NANOS_PER_TICK = 10_000_000L;

    /**
     * Read a {@code stat} file.
     * @return what it says, or {@code null} when it cannot be read (its process or thread ended)
     */
    static @Nullable ProcStat read(Path stat) {
        try {
            String line = Files.readString(stat);
            // The name is in parentheses and may hold spaces and parentheses itself.
            int close = line.lastIndexOf(')');
            String name = line.substring(line.indexOf('(') + 1, close);
            // The fields after the name, from field 3 (state) on: utime and stime are fields 14
            // and 15, cutime and cstime 16 and 17.
            String[] fields = line.substring(close + 2).split(" ");
            return new ProcStat(name, ticks(fields, 14) + ticks(fields, 15), ticks(fields, 16) + ticks(fields, 17));
        }
        catch (IOException | RuntimeException ex) {
            return null;
        }
    }

    private static long ticks(String[] fieldsFromThird, int field) {
        return Long.parseLong(fieldsFromThird[field - 3]) * NANOS_PER_TICK;
    }

}
