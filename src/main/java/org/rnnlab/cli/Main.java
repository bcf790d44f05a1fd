package org.rnnlab.cli;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** The {@code rnnlab} command: {@code java -jar target/rnnlab.jar COMMAND ...}, or the {@code ./rnnlab} script. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
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
        int code = execute(out, System.err, args);
        finished[0] = true;
        out.flush();
        System.exit(code);
    }

    /** Runs one command line and returns its exit code: 0 success, 1 a check failed, 2 bad usage or input. */
    public static int execute(PrintStream out, PrintStream err, String... args) {
        boolean verbose = Arrays.asList(args).contains("--verbose");
        quietLogging(verbose);
        skipPhysicalMemoryChecks();
        return RnnlabCommand.commandLine(out, err, verbose).execute(args);
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
     * buffer for every array and view it makes. Measured on binary-sum (13 minibatches of a tiny
     * network per epoch), that check was a quarter of the training thread's samples, and turning
     * it off cut its CPU time from 5.0-6.1 s to 3.8-4.3 s per 100 epochs with identical results.
     * JavaCPP's other limit, {@code maxBytes} on the bytes it allocated itself, still applies. It
     * must be set before ND4J loads; {@code -Dorg.bytedeco.javacpp.maxPhysicalBytes=...} overrides it.
     */
    private static void skipPhysicalMemoryChecks() {
        setIfAbsent("org.bytedeco.javacpp.maxPhysicalBytes", "0");
    }

    private static void setIfAbsent(String property, String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }
}
