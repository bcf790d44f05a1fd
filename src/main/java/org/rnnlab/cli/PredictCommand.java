package org.rnnlab.cli;

import org.rnnlab.tasks.ExitCodes;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.rnnlab.tasks.Task;
import org.rnnlab.tasks.TaskRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** {@code rnnlab predict TASK --input ...}: one prediction from a saved model. */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Load a saved model and predict from an input typed on the command line.",
        footer = {"", "Examples:", "  rnnlab predict binary-sum --input 1,0,1,1,0,1,0",
            "  rnnlab predict sine-wave --input 0,0.31,0.59,0.81,0.95",
            "  rnnlab predict increasing-sum --input \"1,3;4,2;5,7\"   (points x1,x2;x1,x2;...)"})
final class PredictCommand implements Callable<Integer> {
    @ParentCommand
    RnnlabCommand root;

    @Mixin
    SavedModelOptions saved;

    @Option(names = "--input", required = true, paramLabel = "V1,V2,...", description = "comma-separated input values")
    String input;

    @Override
    public Integer call() {
        Task<?, ?> task = saved.task();
        Path file = saved.modelFile();
        root.out.println(TaskRunner.predict(task, file, input));
        return ExitCodes.OK;
    }
}
