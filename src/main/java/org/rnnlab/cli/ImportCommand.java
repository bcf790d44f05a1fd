package org.rnnlab.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.rnnlab.data.WritableFolder;
import org.rnnlab.BadInputException;
import org.rnnlab.keras.ImportedModel;
import org.rnnlab.keras.KerasFile;
import org.rnnlab.tasks.ExitCodes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code rnnlab import FILE.h5 --out model.zip}: a Keras model as an rnnlab zip. */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Import a Keras 2 HDF5 model (Sequential or functional: SimpleRNN, LSTM, GRU, Bidirectional, Dense,"
                + " TimeDistributed, Activation, RepeatVector, Embedding, Dropout) with DL4J's importer and save"
                + " it as an rnnlab zip that records where it came from. Settings the importer would ignore"
                + " (go_backwards, stateful, return_state, time_major), Masking (which DL4J imports but cannot run)"
                + " and layers it does not map are refused.",
        footer = {"", "Examples:", "  rnnlab import model.h5 --out models/imported/model.zip",
            "  rnnlab import --config model.json --weights weights.h5 --out models/imported/model.zip",
            "  rnnlab predict --model models/imported/model.zip --input-npy x.npy --output-npy y.npy"})
final class ImportCommand implements Callable<Integer> {
    @ParentCommand
    RnnlabCommand root;

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE.h5",
            description = "a model saved by Keras 2 (model.save(\"model.h5\"))")
    Path file;

    @Option(names = "--config", paramLabel = "MODEL.json", description = "instead of FILE.h5: the model's JSON config"
            + " (model.to_json()), with --weights")
    Path config;

    @Option(names = "--weights", paramLabel = "WEIGHTS.h5", description = "the HDF5 weights of --config"
            + " (model.save_weights(\"weights.h5\"), or a whole-model .h5)")
    Path weights;

    @Option(names = "--out", paramLabel = "ZIP", required = true, description = "the rnnlab zip to write")
    Path out;

    @Override
    public Integer call() throws Exception {
        WritableFolder.require(out.toAbsolutePath().getParent(), "--out");
        if ((file == null) == (config == null) || (config == null) != (weights == null)) {
            throw new BadInputException("give FILE.h5, or --config MODEL.json with --weights WEIGHTS.h5");
        }
        ImportedModel imported = ImportedModel.fromKeras(file != null ? KerasFile.read(file)
                : KerasFile.read(config, weights));
        imported.save(out);
        root.out.println("Imported " + imported.describe());
        root.out.println("Saved " + out);
        return ExitCodes.OK;
    }
}
