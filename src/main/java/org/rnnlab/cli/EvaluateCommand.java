package org.rnnlab.cli;

import org.rnnlab.tasks.ExitCodes;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.rnnlab.report.TaskMetrics;
import org.rnnlab.tasks.Task;
import org.rnnlab.tasks.TaskRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** {@code rnnlab evaluate TASK [--model FILE]}: the held-out metrics of a saved model. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Load a saved model and print its held-out metrics, as at the end of training.")
final class EvaluateCommand implements Callable<Integer> {
    @ParentCommand
    RnnlabCommand root;

    @Mixin
    SavedModelOptions saved;

    @Override
    public Integer call() throws IOException {
        Task<?, ?> task = saved.task();
        Path file = saved.modelFile();
        TaskMetrics metrics = TaskRunner.evaluate(task, file, root.context());
        root.out.println("Held-out metrics of " + file + ":");
        root.out.print(metrics.format());
        return metrics.floorsMet() ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
    }
}
