package org.rnnlab.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.rnnlab.BadInputException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.rnnlab.data.AtomicFile;
import org.rnnlab.keras.ImportedModel;
import org.rnnlab.keras.KerasLayout;
import org.rnnlab.tasks.ExitCodes;
import org.rnnlab.tasks.PredictExample;
import org.rnnlab.tasks.Task;
import org.rnnlab.tasks.TaskRegistry;
import org.rnnlab.tasks.TaskRunner;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code rnnlab predict [TASK] --input ... | --input-file FILE}: predictions from a saved model. */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Load a saved model and predict from an input typed on the command line, or from every line of a"
                + " file (one sequence a line, in --input's form; blank lines, lines starting with '#' and a first line"
                + " of column names are skipped).")
final class PredictCommand implements Callable<Integer> {
    @ParentCommand
    RnnlabCommand root;

    @Mixin
    SavedModelOptions saved;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    /** One input, or a file of them. */
    static final class Input {
        @Option(names = "--input", paramLabel = "INPUT", description = "one input, in the task's form (examples below)")
        String text;

        @Option(names = "--input-file", paramLabel = "FILE", description = "one input a line; one prediction a line out")
        Path file;

        @Option(names = "--input-npy", paramLabel = "X.npy", description = "a numpy array laid out as Keras takes it,"
                + " [batch, steps, features]: what Keras's model.predict would return for it, in the same layout;"
                + " --model may then also be a Keras .h5 file")
        Path npy;
    }

    @Option(names = "--output-npy", paramLabel = "Y.npy", description = "write the predictions of --input-npy here as a"
            + " numpy array, not to the screen")
    Path outputNpy;

    @Option(names = "--output", paramLabel = "FILE", description = "write the predictions of --input-file here, not to"
            + " the screen")
    Path output;

    /** The examples footer: one input per task, with what it means. */
    static String[] examples() {
        List<String> lines = new ArrayList<>(List.of("", "Examples (--model FILE alone also works: the zip names its"
                + " task):"));
        for (Task<?, ?> task : TaskRegistry.all()) {
            PredictExample example = task.predictExample();
            lines.add("  rnnlab predict " + task.name() + " --input " + example.shown());
            lines.add("      " + example.meaning());
        }
        return lines.toArray(String[]::new);
    }

    @Override
    public Integer call() throws IOException {
        if (input.npy != null) {
            return predictArray();
        }
        if (outputNpy != null) {
            throw new BadInputException("--output-npy goes with --input-npy");
        }
        Task<?, ?> task = saved.task();
        Path file = saved.modelFile();
        if (input.text != null) {
            if (output != null) {
                throw new BadInputException("--output goes with --input-file; --input prints its one prediction");
            }
            root.out.println(TaskRunner.predict(task, file, input.text));
            return ExitCodes.OK;
        }
        List<String> inputs = inputLines(input.file);
        List<String> predictions = TaskRunner.predictAll(task, file, inputs, input.file.toString());
        List<String> lines = predictions.stream().map(p -> p.replaceAll("\\s*\\R\\s*", " ").strip()).toList();
        if (output == null) {
            lines.forEach(root.out::println);
        } else {
            AtomicFile.writeString(output, String.join("\n", lines) + "\n");
            root.out.println("Wrote " + lines.size() + " predictions to " + output);
        }
        return ExitCodes.OK;
    }

    /** --input-npy: the network of a Keras file, an imported zip or any rnnlab zip, on a Keras-laid-out array. */
    private Integer predictArray() throws IOException {
        if (saved.model == null) {
            throw new BadInputException("--input-npy needs --model FILE (an rnnlab zip or a Keras .h5 file)");
        }
        if (!Files.isRegularFile(input.npy)) {
            throw new BadInputException("--input-npy " + input.npy + " is not a readable file");
        }
        INDArray x;
        try {
            x = Nd4j.createFromNpyFile(input.npy.toFile()).castTo(DataType.FLOAT);
        } catch (RuntimeException e) {
            throw new BadInputException("--input-npy " + input.npy + " is not a numpy .npy array: " + e.getMessage(), e);
        }
        Path file = saved.model;
        INDArray y;
        if (ImportedModel.isImported(file)) {
            y = ImportedModel.read(file).predict(x);
        } else {
            y = KerasLayout.predictNcw(saved.task().load(file).model(), x);
        }
        if (outputNpy == null) {
            root.out.println(y.dup('c').toStringFull());
        } else {
            byte[] npy = Nd4j.toNpyByteArray(y.dup('c'));
            AtomicFile.write(outputNpy, out -> out.write(npy));
            root.out.println("Wrote " + java.util.Arrays.toString(y.shape()) + " predictions to " + outputNpy);
        }
        return ExitCodes.OK;
    }

    /** The inputs of a file: its lines, without blank ones, '#' comments and a first line of column names. */
    static List<String> inputLines(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new BadInputException("--input-file " + file + " is not a readable file");
        }
        List<String> lines = new ArrayList<>();
        boolean first = true;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            boolean header = first && line.strip().matches("[A-Za-z_]\\w*(,[A-Za-z_]\\w*)+");
            first = false;
            if (!header && !line.isBlank() && !line.startsWith("#")) {
                lines.add(line.strip());
            }
        }
        if (lines.isEmpty()) {
            throw new BadInputException("--input-file " + file + " has no inputs (one sequence a line)");
        }
        return lines;
    }
}
