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
        long nanos = 0;
        boolean found = false;
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            for (Path process : (Iterable<Path>) processes::iterator) {
                if (!process.getFileName().toString().chars().allMatch(Character::isDigit)) {
                    continue;
                }
                ProcStat stat = ProcStat.read(process.resolve("stat"));
                if (stat != null && stat.name().equals(this.command)) {
                    found = true;
                    // Its own time, and (the postmaster's view of its exited backends) its children's.
                    nanos += stat.cpuNanos() + stat.reapedChildrenCpuNanos();
                }
            }
        }
        catch (IOException ex) {
            return OptionalLong.empty();
        }
        return found ? OptionalLong.of(nanos) : OptionalLong.empty();
    }

}
