package org.rnnlab.cli;

import java.util.concurrent.Callable;
import org.rnnlab.BadInputException;
import org.rnnlab.tasks.Task;
import org.rnnlab.tasks.TaskRegistry;
import org.rnnlab.tasks.TrainCommandLine;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code rnnlab train TASK [options]}: one subcommand per task, whose options come from the task's
 * options record, so {@code rnnlab train binary-sum --help} lists exactly what that task takes.
 * The subcommands are the same code a task class's {@code main} runs ({@link TrainCommandLine}).
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Generate or read a task's data, train its network, evaluate it on held-out data, "
                + "and save DIR/model.zip, DIR/metrics.json and PNG charts (DIR is models/TASK unless --out says otherwise).")
final class TrainCommand implements Callable<Integer> {

    static void addTaskSubcommands(CommandLine train, RnnlabCommand root) {
        for (Task<?, ?> task : TaskRegistry.all()) {
            train.addSubcommand(task.name(), new CommandLine(TrainCommandLine.spec(task, root::context, root.out)));
        }
    }

    @Override
    public Integer call() {
        throw new BadInputException("train needs a task, one of: " + TaskRegistry.names()
                + " (e.g. 'rnnlab train binary-sum')");
    }
}
