package org.rnnlab.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.rnnlab.BadInputException;
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
                + "and save DIR/model.zip and DIR/metrics.json (DIR is models/TASK unless --out says otherwise).")
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
            RecordOptions.addTo(spec, task.defaultOptions());
            training.spec = spec;
            return spec;
        }

        @Override
        public Integer call() throws IOException {
            return run(task);
        }

        private <O extends Record> int run(Task<O> typed) throws IOException {
            O options = RecordOptions.read(spec, typed.optionsType());
            Path out = spec.findOption("--out").getValue();
            TaskRunner.Outcome outcome = TaskRunner.train(typed, options, root.context(),
                    out != null ? out : TaskRunner.defaultModelDir(typed.name()));
            return outcome.metrics().floorsMet() ? RnnlabCommand.OK : RnnlabCommand.CHECK_FAILED;
        }
    }
}
