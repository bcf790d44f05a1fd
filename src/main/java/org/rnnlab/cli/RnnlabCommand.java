package org.rnnlab.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.rnnlab.tasks.TaskContext;
import org.rnnlab.tasks.ExitCodes;
import org.rnnlab.tasks.ProcessSetup;
import org.rnnlab.tasks.TrainCommandLine;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The top-level command: global options and the subcommands. */
@Command(name = "rnnlab", mixinStandardHelpOptions = true, versionProvider = RnnlabCommand.Version.class,
        description = "The classic recurrent-network tutorials as Deeplearning4j tasks: train, evaluate, predict, "
                + "and print each network as Keras would.",
        subcommands = {ListCommand.class, TrainCommand.class, EvaluateCommand.class, PredictCommand.class,
            AllCommand.class, GradcheckCommand.class, SampleCommand.class, SummaryCommand.class, BenchCommand.class, ImportCommand.class,
            ExportCommand.class},
        footer = {"", ExitCodes.FOOTER})
public final class RnnlabCommand implements Callable<Integer> {
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
        commandLine.getSubcommands().get("predict").getCommandSpec().usageMessage().footer(PredictCommand.examples());
        TrainCommandLine.configure(commandLine, out, err, verbose);
        return commandLine;
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
        return ExitCodes.BAD_INPUT;
    }

    /** The version in the jar's manifest, or "dev" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {ProcessSetup.version()};
        }
    }
}
