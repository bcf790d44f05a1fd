package org.rnnlab.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.rnnlab.data.WritableFolder;
import org.rnnlab.keras.ImportedModel;
import org.rnnlab.tasks.ExitCodes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code rnnlab import FILE.h5 --out model.zip}: a Keras model as an rnnlab zip. */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Import a Keras 2 HDF5 model (Sequential or functional: SimpleRNN, LSTM, Bidirectional, Dense,"
                + " TimeDistributed, Activation, RepeatVector, Masking, Embedding, Dropout) with DL4J's importer and save"
                + " it as an rnnlab zip that records where it came from. Settings the importer would ignore"
                + " (go_backwards, stateful, return_state) and layers it does not map are refused.",
        footer = {"", "Example:", "  rnnlab import model.h5 --out models/imported/model.zip",
            "  rnnlab predict --model models/imported/model.zip --input-npy x.npy --output-npy y.npy"})
final class ImportCommand implements Callable<Integer> {
    @ParentCommand
    RnnlabCommand root;

    @Parameters(index = "0", paramLabel = "FILE.h5", description = "a model saved by Keras 2 (model.save(\"model.h5\"))")
    Path file;

    @Option(names = "--out", paramLabel = "ZIP", required = true, description = "the rnnlab zip to write")
    Path out;

    @Override
    public Integer call() throws Exception {
        WritableFolder.require(out.toAbsolutePath().getParent(), "--out");
        ImportedModel imported = ImportedModel.fromKeras(file);
        imported.save(out);
        root.out.println("Imported " + imported.describe());
        root.out.println("Saved " + out);
        return ExitCodes.OK;
    }
}
