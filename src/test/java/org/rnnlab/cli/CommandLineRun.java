package org.rnnlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What one command line printed and returned, run through {@link Main#execute} as a user runs it:
 * the command-line tests' way in.
 */
record CommandLineRun(int code, String out, String err) {

    static CommandLineRun run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Main.execute(o, e, args);
        }
        return new CommandLineRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    List<String> errLines() {
        return err.lines().toList();
    }

    /** Exit code 2 and one clear line on stderr, without a stack trace (DESIGN.md: "bad usage or bad input"). */
    String oneLineError() {
        assertEquals(2, code, "exit code; stderr: " + err + "; stdout: " + out);
        assertEquals(1, errLines().size(), "one line on stderr, got:\n" + err);
        assertFalse(err.contains("at org.") || err.contains("Exception"), "no stack trace:\n" + err);
        assertTrue(err.startsWith("rnnlab: "), err);
        return errLines().get(0);
    }
}
