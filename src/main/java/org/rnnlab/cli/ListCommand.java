package org.rnnlab.cli;

import org.rnnlab.tasks.ExitCodes;
import java.util.concurrent.Callable;
import org.rnnlab.tasks.Task;
import org.rnnlab.tasks.TaskRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code rnnlab list}: the tasks, one per line. */
@Command(name = "list", mixinStandardHelpOptions = true, description = "List the tasks, one per line.")
final class ListCommand implements Callable<Integer> {
    @ParentCommand
    RnnlabCommand root;

    @Override
    public Integer call() {
        int width = TaskRegistry.all().stream().mapToInt(t -> t.name().length()).max().orElse(0);
        for (Task<?, ?> task : TaskRegistry.all()) {
            root.out.printf("%-" + width + "s  %s%n", task.name(), task.description());
        }
        return ExitCodes.OK;
    }
}
