package org.rnnlab.cli;

import java.nio.file.Path;
import org.rnnlab.BadInputException;
import org.rnnlab.keras.ImportedModel;
import org.rnnlab.nets.ModelStore;
import org.rnnlab.tasks.Task;
import org.rnnlab.tasks.TaskRegistry;
import org.rnnlab.tasks.TaskRunner;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** [TASK] and --model, shared by the commands that load a saved model: either names the model, both must agree. */
final class SavedModelOptions {
    @Parameters(index = "0", arity = "0..1", paramLabel = "TASK",
            description = "the task the model belongs to; without it, the task --model's zip records")
    String taskName;

    @Option(names = "--model", paramLabel = "FILE", description = "the model zip (default: models/TASK/model.zip)")
    Path model;

    Task<?, ?> task() {
        if (taskName != null) {
            return TaskRegistry.require(taskName);
        }
        if (model == null) {
            throw new BadInputException("give the task (e.g. 'binary-sum') or --model FILE");
        }
        String task = ModelStore.readInfo(model).task();
        if (ImportedModel.TASK.equals(task)) {
            throw new BadInputException(model + " is an imported Keras model, which belongs to no task: use it with"
                    + " predict --model FILE --input-npy X.npy, or summary --model FILE");
        }
        return TaskRegistry.require(task);
    }

    Path modelFile() {
        return model != null ? model : TaskRunner.defaultModelDir(taskName).resolve("model.zip");
    }
}
