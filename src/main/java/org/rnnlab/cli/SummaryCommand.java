package org.rnnlab.cli;

import org.rnnlab.tasks.ExitCodes;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.rnnlab.BadInputException;
import org.rnnlab.nets.ModelInfo;
import org.rnnlab.keras.ImportedModel;
import org.rnnlab.keras.KerasConfigSummary;
import org.rnnlab.nets.ModelStore;
import org.rnnlab.summary.KerasSummary;
import org.rnnlab.summary.SummaryStyle;
import org.rnnlab.tasks.Task;
import org.rnnlab.tasks.TaskRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code rnnlab summary (TASK | --model FILE) [--style STYLE]}: a network as Keras would print it. */
@Command(name = "summary", mixinStandardHelpOptions = true,
        description = {"Print a network the way Keras's model.summary() prints the equivalent model: SimpleRnn "
                + "as SimpleRNN, output and dense layers as Dense, Keras's output shapes, layer names and parameter "
                + "counts.",
            "TASK shows the network the task's default options build, untrained; --model FILE a saved one."},
        footer = {"", "Styles: keras2.2 (multi-backend Keras 2.2, as seed 003 prints it), keras (tf.keras 2.x), "
                + "keras3 (Keras 3's table), dl4j (DL4J's own summary).",
            "", "Examples:", "  rnnlab summary keras-summary --style keras2.2",
            "  rnnlab summary --model models/binary-sum/model.zip --style keras3"})
final class SummaryCommand implements Callable<Integer> {
    @ParentCommand
    RnnlabCommand root;

    @Parameters(index = "0", arity = "0..1", paramLabel = "TASK", description = "a task (see 'rnnlab list')")
    String taskName;

    @Option(names = "--model", paramLabel = "FILE", description = "a saved model zip, or a Keras .h5 file")
    Path model;

    @Option(names = "--style", paramLabel = "STYLE", defaultValue = "keras",
            description = "keras2.2, keras, keras3 or dl4j (default: ${DEFAULT-VALUE})")
    String style;

    @Override
    public Integer call() {
        SummaryStyle chosen = SummaryStyle.parse(style);
        if (model != null) {
            root.out.print(ofSavedModel(model, taskName, chosen));
        } else if (taskName != null) {
            root.out.print(ofTask(TaskRegistry.require(taskName), chosen));
        } else {
            throw new BadInputException("summary needs a TASK or --model FILE; tasks: " + TaskRegistry.names());
        }
        return ExitCodes.OK;
    }

    /** The untrained network of the task's default options. */
    static <O extends Record> String ofTask(Task<O, ?> task, SummaryStyle style) {
        O options = task.defaultOptions();
        MultiLayerNetwork network = new MultiLayerNetwork(task.network(options));
        network.init();
        return KerasSummary.render(network, task.sequenceLength(options), style);
    }

    /** A saved network; its task's stored options say how long its sequences are. */
    static String ofSavedModel(Path file, String expectedTask, SummaryStyle style) {
        if (ImportedModel.isImported(file)) {
            // A Keras model: Keras's own names, classes and shapes from its config; DL4J's view of the import
            ImportedModel imported = ImportedModel.read(file);
            return style == SummaryStyle.DL4J ? summary(imported.network())
                    : KerasConfigSummary.render(imported.modelConfig(), style);
        }
        String task = ModelStore.readInfo(file).task();
        if (expectedTask != null && !expectedTask.equals(task)) {
            throw new BadInputException(file + " holds a " + task + " model, not " + expectedTask);
        }
        ModelStore.StoredModel stored = TaskRegistry.require(task).load(file);
        return KerasSummary.render(stored.model().network(), sequenceLength(TaskRegistry.require(task), stored.info()),
                style);
    }

    private static String summary(org.deeplearning4j.nn.api.Model network) {
        return network instanceof org.deeplearning4j.nn.graph.ComputationGraph graph ? graph.summary()
                : ((MultiLayerNetwork) network).summary();
    }

    private static <O extends Record> OptionalInt sequenceLength(Task<O, ?> task, ModelInfo info) {
        return task.sequenceLength(info.options(task.optionsType()));
    }
}
