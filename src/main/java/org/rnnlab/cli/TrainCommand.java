package org.rnnlab.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.rnnlab.BadInputException;
import org.rnnlab.dashboard.TrainingDashboard;
import org.rnnlab.tasks.Task;
import org.rnnlab.tasks.TaskRegistry;
import org.rnnlab.tasks.TaskRunner;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code rnnlab train TASK [options]}: one subcommand per task, whose options come from the task's
 * options record, so {@code rnnlab train binary-sum --help} lists exactly what that task takes.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Generate or read a task's data, train its network, evaluate it on held-out data, "
                + "and save DIR/model.zip, DIR/metrics.json and PNG charts (DIR is models/TASK unless --out says otherwise).")
final class TrainCommand implements Callable<Integer> {

    static void addTaskSubcommands(CommandLine train, RnnlabCommand root) {
        for (Task<?> task : TaskRegistry.all()) {
            train.addSubcommand(task.name(), new CommandLine(TaskTraining.spec(task, root)));
        }
    }

    @Override
    public Integer call() {
        throw new BadInputException("train needs a task, one of: " + TaskRegistry.names()
                + " (e.g. 'rnnlab train binary-sum')");
    }

    /** {@code rnnlab train TASK}: built at run time from the task's options record. */
    static final class TaskTraining implements Callable<Integer> {
        private final Task<?> task;
        private final RnnlabCommand root;
        private CommandSpec spec;

        private TaskTraining(Task<?> task, RnnlabCommand root) {
            this.task = task;
            this.root = root;
        }

        static CommandSpec spec(Task<?> task, RnnlabCommand root) {
            TaskTraining training = new TaskTraining(task, root);
            CommandSpec spec = CommandSpec.wrapWithoutInspection(training);
            spec.name(task.name()).mixinStandardHelpOptions(true);
            spec.usageMessage().description(task.description());
            spec.addOption(OptionSpec.builder("--out").paramLabel("DIR").type(Path.class)
                    .description("where model.zip and metrics.json go (default: models/" + task.name() + ")")
                    .build());
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
                        .description("start from this recipe instead of the defaults (" + String.join(", ",
                                new java.util.TreeSet<>(task.presets().keySet())) + "); options typed beside it"
                                + " override it").build());
            }
            RecordOptions.addTo(spec, task.defaultOptions());
            training.spec = spec;
            return spec;
        }

        @Override
        public Integer call() throws IOException {
            return run(task);
        }

        private <O extends Record> int run(Task<O> typed) throws IOException {
            O options = RecordOptions.read(spec, typed.optionsType(), preset(typed));
            Path out = spec.findOption("--out").getValue();
            Path outDir = out != null ? out : TaskRunner.defaultModelDir(typed.name());
            OptionSpec noPlots = spec.findOption("--no-plots");
            OptionSpec ui = spec.findOption("--ui");
            boolean drawPictures = noPlots == null || !Boolean.TRUE.equals(noPlots.getValue());
            Integer uiPort = ui == null ? null : ui.getValue();
            if (uiPort == null) {
                return verdict(TaskRunner.train(typed, options, root.context(drawPictures, List.of()), outDir));
            }
            try (TrainingDashboard dashboard = TrainingDashboard.start(uiPort)) {
                root.out.println("DL4J's training UI: " + dashboard.address());
                TaskRunner.Outcome outcome = TaskRunner.train(typed, options,
                        root.context(drawPictures, List.of(dashboard.listener())), outDir);
                keepOpenForTheUser(dashboard);
                return verdict(outcome);
            }
        }

        /** The preset --preset names; null without --preset. */
        private <O extends Record> O preset(Task<O> typed) {
            OptionSpec option = spec.findOption("--preset");
            String name = option == null ? null : option.getValue();
            if (name == null) {
                return null;
            }
            O preset = typed.presets().get(name);
            if (preset == null) {
                throw new BadInputException("--preset " + name + " is not a preset of " + typed.name() + "; it has: "
                        + String.join(", ", new java.util.TreeSet<>(typed.presets().keySet())));
            }
            return preset;
        }

        /** At a terminal, the finished run stays on show until the user presses Enter; otherwise the UI stops with the run. */
        private void keepOpenForTheUser(TrainingDashboard dashboard) throws IOException {
            if (System.console() != null) {
                root.out.println("Training done; the UI stays at " + dashboard.address() + " until you press Enter.");
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            }
        }

        private static int verdict(TaskRunner.Outcome outcome) {
            return outcome.metrics().floorsMet() ? RnnlabCommand.OK : RnnlabCommand.CHECK_FAILED;
        }
    }
}
