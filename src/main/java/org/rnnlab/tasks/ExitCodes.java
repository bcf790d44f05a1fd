package org.rnnlab.tasks;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.rnnlab.BadInputException;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * What rnnlab's exit codes mean, and the picocli handlers that turn every failure into one line on
 * stderr and its code: the same for {@code rnnlab} and for a task class's own {@code main}.
 */
public final class ExitCodes {
    public static final int OK = 0;
    /** A quality floor or a check was not met. */
    public static final int CHECK_FAILED = 1;
    public static final int BAD_INPUT = 2;
    public static final int INTERNAL_ERROR = 3;
    /** The line {@code --help} ends with. */
    public static final String FOOTER = "Exit codes: 0 success, 1 a check failed (a quality floor), 2 bad usage or"
            + " input, 3 internal error.";

    private ExitCodes() {
    }

    /**
     * Runs a command line, and turns an {@link Error} picocli lets through into one line too: out of
     * memory is an input too large for the heap (exit 2, saying how large the heap is and how to
     * raise it), anything else an internal error (exit 3).
     */
    public static int execute(CommandLine commandLine, String[] args, PrintStream err, boolean verbose) {
        try {
            return commandLine.execute(args);
        } catch (OutOfMemoryError e) {
            err.println("rnnlab: out of memory: the input is too large for the Java heap of "
                    + Math.round(Runtime.getRuntime().maxMemory() / 1e6) + " MB; give it more, e.g."
                    + " RNNLAB_JAVA_OPTS=-Xmx8g ./rnnlab ...");
            return BAD_INPUT;
        } catch (Error e) {
            return internalError(e, err, verbose);
        }
    }

    /** "rnnlab: internal error: ..." in one line, the stack trace before it under --verbose; exit 3. */
    private static int internalError(Throwable e, PrintStream err, boolean verbose) {
        if (verbose) {
            e.printStackTrace(err);
        }
        err.println("rnnlab: internal error: " + oneLine(e.toString())
                + (verbose ? "" : " (--verbose shows the stack trace)"));
        return INTERNAL_ERROR;
    }

    /**
     * A message in one line: DL4J and ND4J write some of theirs over several lines (a shape, then
     * a hint), which would break the promise of one line on stderr; the lines are joined with "; ".
     */
    static String oneLine(String message) {
        if (message == null) {
            return "";
        }
        return String.join("; ", message.lines().map(String::strip).filter(line -> !line.isEmpty()).toList());
    }

    /** 0 when every floor of a run was met, else 1. */
    public static int of(TaskRunner.Outcome outcome) {
        return outcome.metrics().floorsMet() ? OK : CHECK_FAILED;
    }

    /**
     * Bad usage: "rnnlab: " and one line, with a "did you mean" for a near miss; bad input found
     * while running: its message; anything else: "internal error", with the trace under --verbose.
     */
    public static void install(CommandLine commandLine, PrintStream err, boolean verbose) {
        commandLine.setParameterExceptionHandler((e, args) -> {
            err.println("rnnlab: " + usageMessage(e) + "; see '"
                    + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'");
            return BAD_INPUT;
        });
        commandLine.setExecutionExceptionHandler((e, cl, parsed) -> {
            if (!(e instanceof BadInputException)) {
                return internalError(e, err, verbose);
            }
            if (verbose) {
                e.printStackTrace(err);
            }
            err.println("rnnlab: " + oneLine(e.getMessage()));
            return BAD_INPUT;
        });
    }

    /** One line: picocli's first line, or the unknown task named as such; a near miss gets a "did you mean". */
    static String usageMessage(ParameterException e) {
        if (e instanceof UnmatchedArgumentException unmatched && e.getCommandLine().getCommandName().equals("train")
                && !unmatched.getUnmatched().isEmpty() && !unmatched.getUnmatched().get(0).startsWith("-")) {
            String typed = unmatched.getUnmatched().get(0);
            String nearest = nearest(typed, TaskRegistry.all().stream().map(Task::name).toList());
            return "unknown task '" + typed + "'" + (nearest == null ? "" : "; did you mean " + nearest + "?")
                    + "; known tasks: " + TaskRegistry.names();
        }
        String first = e.getMessage().lines().findFirst().orElse("bad usage");
        if (e instanceof UnmatchedArgumentException unmatched && !unmatched.getUnmatched().isEmpty()) {
            String typed = unmatched.getUnmatched().get(0).split("=", 2)[0];
            List<String> candidates = new ArrayList<>();
            e.getCommandLine().getCommandSpec().options().stream().filter(o -> !o.hidden())
                    .forEach(o -> candidates.addAll(List.of(o.names())));
            candidates.addAll(e.getCommandLine().getSubcommands().keySet());
            String nearest = nearest(typed, candidates);
            if (nearest != null) {
                return first + "; did you mean " + nearest + "?";
            }
        }
        return first;
    }

    /**
     * The candidate closest to {@code typed} by edit distance, if within a third of its length (at
     * least 2), a candidate that begins with what was typed counting as one edit away
     * ({@code --batch} for {@code --batch-size}); else null.
     */
    static String nearest(String typed, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int d = typed.length() >= 3 && candidate.startsWith(typed) && !candidate.equals(typed) ? 1
                    : editDistance(typed, candidate);
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return best != null && bestDistance > 0 && bestDistance <= Math.max(2, typed.length() / 3) ? best : null;
    }

    /** Levenshtein distance: insertions, deletions and substitutions of one character each cost 1. */
    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
