package org.rnnlab.cli;

import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import org.rnnlab.BadInputException;
import org.rnnlab.data.WritableFolder;
import org.rnnlab.keras.ImportedModel;
import org.rnnlab.keras.KerasExport;
import org.rnnlab.nets.ModelInfo;
import org.rnnlab.nets.ModelStore;
import org.rnnlab.tasks.ExitCodes;
import org.rnnlab.tasks.Task;
import org.rnnlab.tasks.TaskRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code rnnlab export model.zip --keras FILE.h5}: an rnnlab model as a Keras 2 HDF5 model. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write an rnnlab model (SimpleRnn, LSTM, GRU, dense and output layers) as a Keras 2 HDF5 model in"
                + " tf.keras 2.2.4's layout: model_config, weights under Keras's names, keras_version and backend.",
        footer = {"", "Example:", "  rnnlab export models/sine-wave/model.zip --keras sine-wave.h5",
            "  then in Python: tf.keras.models.load_model(\"sine-wave.h5\")"})
final class ExportCommand implements Callable<Integer> {
    @ParentCommand
    RnnlabCommand root;

    @Parameters(index = "0", paramLabel = "MODEL.zip", description = "a model saved by rnnlab train")
    Path model;

    @Option(names = "--keras", paramLabel = "FILE.h5", required = true, description = "the Keras HDF5 file to write")
    Path keras;

    @Override
    public Integer call() throws Exception {
        ModelInfo info = ModelStore.readInfo(model);
        if (ImportedModel.TASK.equals(info.task())) {
            throw new BadInputException(model + " was imported from Keras; its Keras file is "
                    + info.options().path("file").asText());
        }
        WritableFolder.require(keras.toAbsolutePath().getParent(), "--keras");
        return export(TaskRegistry.require(info.task()));
    }

    private <O extends Record> Integer export(Task<O, ?> task) throws Exception {
        ModelStore.StoredModel stored = task.load(model);
        OptionalInt steps = task.sequenceLength(stored.info().options(task.optionsType()));
        KerasExport.write(stored.model().network(), steps, keras);
        root.out.println("Wrote " + keras + " (Keras " + KerasExport.KERAS_VERSION + " layout, "
                + stored.model().network().numParams() + " parameters)");
        if (stored.model().normalizer() != null) {
            root.out.println("Note: the " + task.name() + " model scales its inputs with a normalizer, which the Keras"
                    + " model does not hold; scale the inputs the same way before predicting in Keras.");
        }
        return ExitCodes.OK;
    }
}
