package dev.dualwrite.backfill;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a host application ({@link BackfillHostApplication} unless told otherwise) in a JVM of
 * its own, so a test can kill it for real ({@code kill -9}) or read its exit status. Public
 * for the tests of other packages that kill a writing process.
 */
public final class ChildApplication {

    private final Process process;

    private final Path output;

    private ChildApplication(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    /**
     * Start {@link BackfillHostApplication} without a web server.
     * @param properties the stores' properties, as {@code key=value}
     * @param more further properties, as {@code key=value}
     */
    public static ChildApplication start(String[] properties, String... more) throws IOException {
        List<String> arguments = new ArrayList<>();
        for (String property : properties) {
            arguments.add("--" + property);
        }
        arguments.add("--spring.main.web-application-type=none");
        for (String property : more) {
            arguments.add("--" + property);
        }
        return start(BackfillHostApplication.class, arguments);
    }

    /**
     * Start an application's {@code main} with exactly these command-line arguments.
     * @param application the class whose {@code main} to run
     * @param arguments its arguments
     */
    public static ChildApplication start(Class<?> application, List<String> arguments) throws IOException {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>();
        command.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        command.add("-Xmx256m");
        command.add("-cp");
        command.add(classpath);
        command.add(application.getName());
        command.addAll(arguments);
        Path output = Files.createTempFile("dualwrite-backfill-child", ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        return new ChildApplication(process, output);
    }

    public int waitForExit(long seconds) throws InterruptedException {
        if (!this.process.waitFor(seconds, TimeUnit.SECONDS)) {
            this.process.destroyForcibly();
            throw new IllegalStateException("The child application did not exit within " + seconds + "s:\n" + output());
        }
        return this.process.exitValue();
    }

    /** Kill the process without warning, as {@code kill -9} does. */
    public void kill() throws InterruptedException {
        this.process.destroyForcibly();
        this.process.waitFor(30, TimeUnit.SECONDS);
    }

    /** Return the process id (part of a backfill worker's id: {@code host/pid/random}). */
    public long pid() {
        return this.process.pid();
    }

    public boolean isAlive() {
        return this.process.isAlive();
    }

    public String output() {
        try {
            return Files.readString(this.output);
        }
        catch (IOException ex) {
            return "(output unreadable: " + ex.getMessage() + ")";
        }
    }

}
