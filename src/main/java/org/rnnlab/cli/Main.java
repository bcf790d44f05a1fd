package org.rnnlab.cli;

import java.io.PrintStream;
import java.util.Arrays;
import org.rnnlab.tasks.ExitCodes;
import org.rnnlab.tasks.ProcessSetup;

/** The {@code rnnlab} command: {@code java -jar target/rnnlab.jar COMMAND ...}, or the {@code ./rnnlab} script. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        ProcessSetup.runAndExit(args, out -> execute(out, System.err, args));
    }

    /** Runs one command line and returns its exit code: 0 success, 1 a check failed, 2 bad usage or input. */
    public static int execute(PrintStream out, PrintStream err, String... args) {
        ProcessSetup.configure(args);
        boolean verbose = Arrays.asList(args).contains("--verbose");
        return ExitCodes.execute(RnnlabCommand.commandLine(out, err, verbose), args, err, verbose);
    }
}
