package org.rnnlab.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.rnnlab.BadInputException;
import org.rnnlab.tasks.TaskContext;
import org.rnnlab.tasks.TaskRegistry;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.UnmatchedArgumentException;

/** The top-level command: global options and the subcommands. */
@Command(name = "rnnlab", mixinStandardHelpOptions = true, versionProvider = RnnlabCommand.Version.class,
        description = "The classic recurrent-network tutorials as Deeplearning4j tasks: train, evaluate, predict, "
                + "and print each network as Keras would.",
        subcommands = {ListCommand.class, TrainCommand.class, EvaluateCommand.class, PredictCommand.class,
            AllCommand.class, GradcheckCommand.class, SampleCommand.class, SummaryCommand.class, BenchCommand.class},
        footer = {"", "Exit codes: 0 success, 1 a check failed (a quality floor), 2 bad usage or input, 3 internal error."})
public final class RnnlabCommand implements Callable<Integer> {
    static final int OK = 0;
    static final int CHECK_FAILED = 1;
    static final int BAD_INPUT = 2;
    static final int INTERNAL_ERROR = 3;

    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "show DL4J's and ND4J's log output and stack traces of errors")
    boolean verbose;

    @Option(names = "--data-dir", scope = ScopeType.INHERIT, paramLabel = "DIR", defaultValue = "data",
            description = "where generated data sets live, one folder per task (default: ${DEFAULT-VALUE})")
    Path dataDir;

    @Option(names = "--no-progress", scope = ScopeType.INHERIT, description = "no progress bar while training")
    boolean noProgress;

    PrintStream out;
    PrintStream err;

    static CommandLine commandLine(PrintStream out, PrintStream err, boolean verbose) {
        RnnlabCommand root = new RnnlabCommand();
        root.out = out;
        root.err = err;
        CommandLine commandLine = new CommandLine(root);
        TrainCommand.addTaskSubcommands(commandLine.getSubcommands().get("train"), root);
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        commandLine.setParameterExceptionHandler((e, args) -> {
            err.println("rnnlab: " + usageMessage(e) + "; see '"
                    + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'");
            return BAD_INPUT;
        });
        commandLine.setExecutionExceptionHandler((e, cl, parsed) -> {
            if (verbose) {
                e.printStackTrace(err);
            }
            if (e instanceof BadInputException) {
                err.println("rnnlab: " + e.getMessage());
                return BAD_INPUT;
            }
            err.println("rnnlab: internal error: " + e + (verbose ? "" : " (--verbose shows the stack trace)"));
            return INTERNAL_ERROR;
        });
        return commandLine;
    }

    /** One line: picocli's first line, or the unknown task named as such; a near miss gets a "did you mean". */
    static String usageMessage(ParameterException e) {
        if (e instanceof UnmatchedArgumentException unmatched && e.getCommandLine().getCommandName().equals("train")
                && !unmatched.getUnmatched().isEmpty() && !unmatched.getUnmatched().get(0).startsWith("-")) {
            String typed = unmatched.getUnmatched().get(0);
            String nearest = nearest(typed, TaskRegistry.all().stream().map(org.rnnlab.tasks.Task::name).toList());
            return "unknown task '" + typed + "'" + (nearest == null ? "" : "; did you mean " + nearest + "?")
                    + "; known tasks: " + TaskRegistry.names();
        }
        String first = e.getMessage().lines().findFirst().orElse("bad usage");
        if (e instanceof UnmatchedArgumentException unmatched && !unmatched.getUnmatched().isEmpty()) {
            String typed = unmatched.getUnmatched().get(0).split("=", 2)[0];
            List<String> candidates = new java.util.ArrayList<>(e.getCommandLine().getCommandSpec().optionsMap().keySet());
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
    static String nearest(String typed, java.util.Collection<String> candidates) {
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

    TaskContext context() {
        return new TaskContext(dataDir, out, !noProgress);
    }

    /** The context of a training run: with or without its PNG charts, and with DL4J listeners (the UI's) or none. */
    TaskContext context(boolean drawPictures, List<TrainingListener> listeners) {
        return new TaskContext(dataDir, out, !noProgress, drawPictures, listeners);
    }

    @Override
    public Integer call() {
        err.println("rnnlab: missing command; see 'rnnlab --help'");
        return BAD_INPUT;
    }

    /** The version in the jar's manifest, or "dev" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = RnnlabCommand.class.getPackage().getImplementationVersion();
            return new String[] {"rnnlab " + (version == null ? "dev" : version) + " (Deeplearning4j 1.0.0-M2.1)"};
        }
    }
}
