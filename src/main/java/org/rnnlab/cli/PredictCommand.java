package org.rnnlab.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.rnnlab.BadInputException;
import org.rnnlab.data.AtomicFile;
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
    }

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
