package dev.dualwrite.sample.benchmark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * CPU time used so far by the local PostgreSQL or Redis server, read from Linux's
 * {@code /proc}: what lets the benchmark print each server's CPU per row beside the JVM's.
 * Like the JVM's own CPU time, and unlike rows/s, it hardly moves with other work on the
 * machine.
 * <p>
 * For PostgreSQL it counts every process named {@code postgres} (backends, WAL writer,
 * checkpointer, autovacuum) plus, on the postmaster, the CPU of children that have already
 * exited (the kernel adds it to the parent's {@code cutime} and {@code cstime} when it reaps
 * them): a connection closed during a measurement still counts. It counts every local
 * process of that name, whichever server it belongs to: the figures are the benchmark's
 * servers' only when they are the only ones on the host (as on the development machine).
 * There is no figure when no such process runs here (servers on another machine, the
 * embedded Redis, whose executable has another name, or no {@code /proc}).
 */
final class ServerCpu {

    // USER_HZ: the unit of /proc/<pid>/stat's times, 100 on every Linux that Java runs on.
    private static final long NANOS_PER_TICK = 10_000_000L;

    private final String command;

    private ServerCpu(String command) {
        this.command = command;
    }

    static ServerCpu postgres() {
        return new ServerCpu("postgres");
    }

    static ServerCpu redis() {
        return new ServerCpu("redis-server");
    }

    /** Return the CPU time of the server's processes so far, empty when none is found. */
    OptionalLong nanos() {
        long ticks = 0;
        boolean found = false;
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            for (Path process : (Iterable<Path>) processes::iterator) {
                String[] fields = stat(process);
                if (fields != null && fields[0].equals(this.command)) {
                    found = true;
                    // utime and stime, then (a parent's view of its exited children) cutime and cstime.
                    ticks += Long.parseLong(fields[12]) + Long.parseLong(fields[13]) + Long.parseLong(fields[14])
                            + Long.parseLong(fields[15]);
                }
            }
        }
        catch (IOException ex) {
            return OptionalLong.empty();
        }
        return found ? OptionalLong.of(ticks * NANOS_PER_TICK) : OptionalLong.empty();
    }

    // The fields after "pid (comm) ", with comm first; null for what is not a process or is gone.
    private static String[] stat(Path process) {
        if (!process.getFileName().toString().chars().allMatch(Character::isDigit)) {
            return null;
        }
        try {
            String stat = Files.readString(process.resolve("stat"));
            int open = stat.indexOf('(');
            int close = stat.lastIndexOf(')');
            String comm = stat.substring(open + 1, close);
            String[] rest = stat.substring(close + 2).split(" ");
            String[] fields = new String[rest.length + 1];
            fields[0] = comm;
            System.arraycopy(rest, 0, fields, 1, rest.length);
            return fields;
        }
        catch (IOException | RuntimeException ex) {
            // The process ended between the listing and the read.
            return null;
        }
    }

}
