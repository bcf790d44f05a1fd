package org.rnnlab.cli;

import java.nio.file.Path;
import org.rnnlab.tasks.Task;
import org.rnnlab.tasks.TaskRegistry;
import org.rnnlab.tasks.TaskRunner;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** TASK and --model, shared by the commands that load a saved model. */
final class SavedModelOptions {
    @Parameters(index = "0", paramLabel = "TASK", description = "the task the model belongs to")
    String taskName;

    @Option(names = "--model", paramLabel = "FILE", description = "the model zip (default: models/TASK/model.zip)")
    Path model;

    Task<?, ?> task() {
        return TaskRegistry.require(taskName);
    }

    Path modelFile() {
        return model != null ? model : TaskRunner.defaultModelDir(taskName).resolve("model.zip");
    }
}
