package org.rnnlab.tasks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.rnnlab.BadInputException;
import org.rnnlab.dashboard.TrainingDashboard;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code rnnlab train TASK [options]} as one piece of code, used twice: as a subcommand of
 * {@code rnnlab}, and as a task class's own {@code main}, so that
 * {@code java -cp target/rnnlab.jar org.rnnlab.tasks.BinaryAdditionTask --epochs 3} and
 * {@code rnnlab train binary-addition --epochs 3} take the same options and print, save and exit alike.
 * The options come from the task's options record ({@link RecordOptions}).
 */
public final class TrainCommandLine implements Callable<Integer> {
    /** The context of one training run, made from the command line's global options (data folder, progress bar). */
    @FunctionalInterface
    public interface Contexts {
        TaskContext context(boolean drawPictures, List<TrainingListener> listeners);
    }

    private final Task<?, ?> task;
    private final Contexts contexts;
    private final PrintStream out;
    private CommandSpec spec;

    private TrainCommandLine(Task<?, ?> task, Contexts contexts, PrintStream out) {
        this.task = task;
        this.contexts = contexts;
        this.out = out;
    }

    /** What a task class's {@code main} does: run {@code rnnlab train TASK ARGS} and exit with its code. */
    public static void main(Task<?, ?> task, String[] args) {
        ProcessSetup.runAndExit(args, out -> execute(task, out, System.err, args));
    }

    /**
     * {@code rnnlab train TASK ARGS} on its own, with the global options {@code rnnlab} has
     * ({@code --data-dir}, {@code --no-progress}, {@code --verbose}); returns the exit code.
     */
    public static int execute(Task<?, ?> task, PrintStream out, PrintStream err, String... args) {
        ProcessSetup.configure(args);
        CommandSpec[] built = new CommandSpec[1];
        CommandSpec spec = spec(task, (drawPictures, listeners) -> new TaskContext(
                built[0].findOption("--data-dir").getValue(), out,
                !Boolean.TRUE.equals(built[0].findOption("--no-progress").getValue()), drawPictures, listeners), out);
        built[0] = spec;
        spec.name("rnnlab train " + task.name()).version(ProcessSetup.version());
        spec.addOption(OptionSpec.builder("--verbose").arity("0").type(boolean.class)
                .description("show DL4J's and ND4J's log output and stack traces of errors").build());
        spec.addOption(OptionSpec.builder("--data-dir").paramLabel("DIR").type(Path.class).defaultValue("data")
                .description("where generated data sets live, one folder per task (default: ${DEFAULT-VALUE})")
                .build());
        spec.addOption(OptionSpec.builder("--no-progress").arity("0").type(boolean.class)
                .description("no progress bar while training").build());
        spec.usageMessage().footer("", ExitCodes.FOOTER);
        CommandLine commandLine = new CommandLine(spec);
        boolean verbose = Arrays.asList(args).contains("--verbose");
        configure(commandLine, out, err, verbose);
        return ExitCodes.execute(commandLine, args, err, verbose);
    }

    /** Output streams, case-insensitive enum values and the one-line error handlers, for any rnnlab command line. */
    public static void configure(CommandLine commandLine, PrintStream out, PrintStream err, boolean verbose) {
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        ExitCodes.install(commandLine, err, verbose);
    }

    /** The command {@code train TASK}: the task's options, {@code --out}, and for tasks that train, charts and UI. */
    public static CommandSpec spec(Task<?, ?> task, Contexts contexts, PrintStream out) {
        TrainCommandLine command = new TrainCommandLine(task, contexts, out);
        CommandSpec spec = CommandSpec.wrapWithoutInspection(command);
        spec.name(task.name()).mixinStandardHelpOptions(true);
        spec.usageMessage().description(task.description());
        spec.addOption(OptionSpec.builder("--out").paramLabel("DIR").type(Path.class)
                .description("where model.zip and metrics.json go (default: models/" + task.name() + ")").build());
        if (task.trains()) { // a check draws no charts and has no training to watch
            spec.addOption(OptionSpec.builder("--no-plots").arity("0").type(boolean.class)
                    .description("write no PNG charts (for headless batch runs)").build());
            spec.addOption(OptionSpec.builder("--ui").paramLabel("PORT").arity("0..1").type(Integer.class)
                    .fallbackValue(Integer.toString(TrainingDashboard.DEFAULT_PORT))
                    .description("watch the run in DL4J's training UI at http://localhost:PORT (default port "
                            + TrainingDashboard.DEFAULT_PORT + "; loopback only)").build());
        }
        if (!task.presets().isEmpty()) {
            spec.addOption(OptionSpec.builder("--preset").paramLabel("NAME").type(String.class)
                    .description("start from this recipe instead of the defaults (" + presetNames(task)
                            + "); options typed beside it override it").build());
        }
        RecordOptions.addTo(spec, task.defaultOptions());
        command.spec = spec;
        return spec;
    }

    private static String presetNames(Task<?, ?> task) {
        return String.join(", ", new TreeSet<>(task.presets().keySet()));
    }

    @Override
    public Integer call() throws IOException {
        return run(task);
    }

    private <O extends Record> int run(Task<O, ?> typed) throws IOException {
        O options = RecordOptions.read(spec, typed.optionsType(), preset(typed));
        O resumed = typed.resumedOptions(options);
        if (resumed != null) {
            if (preset(typed) != null) {
                throw new BadInputException("--preset and --resume do not go together: a resumed run keeps its"
                        + " model's recipe");
            }
            options = RecordOptions.read(spec, typed.optionsType(), resumed); // untyped options: the model's
        }
        Path given = spec.findOption("--out").getValue();
        Path outDir = given != null ? given : TaskRunner.defaultModelDir(typed.name());
        OptionSpec noPlots = spec.findOption("--no-plots");
        OptionSpec ui = spec.findOption("--ui");
        boolean drawPictures = noPlots == null || !Boolean.TRUE.equals(noPlots.getValue());
        Integer uiPort = ui == null ? null : ui.getValue();
        if (uiPort == null) {
            return ExitCodes.of(TaskRunner.train(typed, options, contexts.context(drawPictures, List.of()), outDir));
        }
        try (TrainingDashboard dashboard = TrainingDashboard.start(uiPort)) {
            out.println("DL4J's training UI: " + dashboard.address());
            TaskRunner.Outcome outcome = TaskRunner.train(typed, options,
                    contexts.context(drawPictures, List.of(dashboard.listener())), outDir);
            keepOpenForTheUser(dashboard);
            return ExitCodes.of(outcome);
        }
    }

    /** The preset --preset names; null without --preset. */
    private <O extends Record> O preset(Task<O, ?> typed) {
        OptionSpec option = spec.findOption("--preset");
        String name = option == null ? null : option.getValue();
        if (name == null) {
            return null;
        }
        O preset = typed.presets().get(name);
        if (preset == null) {
            throw new BadInputException("--preset " + name + " is not a preset of " + typed.name() + "; it has: "
                    + presetNames(typed));
        }
        return preset;
    }

    /** At a terminal, the finished run stays on show until the user presses Enter; otherwise the UI stops with the run. */
    private void keepOpenForTheUser(TrainingDashboard dashboard) throws IOException {
        if (System.console() != null) {
            out.println("Training done; the UI stays at " + dashboard.address() + " until you press Enter.");
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        }
    }
}
