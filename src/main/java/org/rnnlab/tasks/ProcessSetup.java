package org.rnnlab.tasks;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Function;

/**
 * How an rnnlab process starts and ends, whether it is {@code rnnlab} or a task class's own
 * {@code main}: headless charts, quiet logging, UTF-8 output, a notice when it is stopped, and the
 * exit code of the command it ran.
 */
public final class ProcessSetup {
    private ProcessSetup() {
    }

    /**
     * Runs {@code command} on stdout and stderr with the process set up (headless, UTF-8, the stop
     * notice), then exits with its code. The command calls {@link #configure} itself, before
     * anything loads DL4J.
     */
    public static void runAndExit(String[] args, Function<PrintStream, Integer> command) {
        // Charts are drawn off-screen: no display is needed, and none is ever opened.
        System.setProperty("java.awt.headless", "true");
        // UTF-8 whatever the locale: Java 17 otherwise writes '?' for Keras 3's box-drawing characters
        // (and for a char-rnn sample's non-ASCII letters) under LANG=C.
        PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out)), true,
                StandardCharsets.UTF_8);
        // Ctrl-C or SIGTERM: say what state the files are in (AtomicFile's own hook removes any
        // half-written temporary file, so a model on disk is the old one or a complete new one).
        boolean[] finished = {false};
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (!finished[0]) {
                out.flush();
                System.err.println("rnnlab: stopped before the end; files saved before now are complete, nothing half-written is left");
            }
        }, "rnnlab-stop-notice"));
        int code = command.apply(out); // the command configures logging itself (configure), as tests run it too
        finished[0] = true;
        out.flush();
        System.exit(code);
    }

    /** What must be set before DL4J and ND4J load; {@code --verbose} among the arguments turns logging up. */
    public static void configure(String... args) {
        quietLogging(Arrays.asList(args).contains("--verbose"));
        skipPhysicalMemoryChecks();
    }

    /**
     * DL4J and ND4J announce their backend, BLAS vendor, thread counts and more at INFO level when
     * they start. The user's output matters more: only warnings, unless --verbose. This must run
     * before the first logger is created, which is why it happens before anything else.
     */
    private static void quietLogging(boolean verbose) {
        setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", verbose ? "info" : "warn");
        setIfAbsent("org.slf4j.simpleLogger.logFile", "System.err");
        setIfAbsent("org.slf4j.simpleLogger.showThreadName", "false");
    }

    /**
     * JavaCPP, under ND4J, reads the process's resident memory (/proc/self/statm) on every native
     * allocation to compare it with {@code maxPhysicalBytes}, and ND4J allocates a native shape
     * buffer for every array and view it makes; on the small tasks that check was a large share of
     * the training thread (measurements: docs/tasks.md, "How the tasks are trained"). JavaCPP's
     * other limit, {@code maxBytes} on the bytes it allocated itself, still applies. It must be set
     * before ND4J loads; {@code -Dorg.bytedeco.javacpp.maxPhysicalBytes=...} overrides it.
     */
    private static void skipPhysicalMemoryChecks() {
        setIfAbsent("org.bytedeco.javacpp.maxPhysicalBytes", "0");
    }

    /** The version in the jar's manifest, or "dev" when run from classes. */
    public static String version() {
        String version = ProcessSetup.class.getPackage().getImplementationVersion();
        return "rnnlab " + (version == null ? "dev" : version) + " (Deeplearning4j 1.0.0-M2.1)";
    }

    private static void setIfAbsent(String property, String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }
}
