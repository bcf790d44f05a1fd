package org.rnnlab.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import org.rnnlab.BadInputException;
import org.rnnlab.keras.ImportedModel;
import org.rnnlab.keras.KerasFile;
import org.rnnlab.keras.KerasGradientCheck;
import org.rnnlab.keras.KerasWeights;
import org.rnnlab.reference.GradientCheck;
import org.rnnlab.tasks.ExitCodes;
import org.rnnlab.tasks.NetworkUnderCheck;
import org.rnnlab.tasks.Task;
import org.rnnlab.tasks.TaskRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code rnnlab gradcheck [TASK|all]}: each task's network against the reference RNN and finite differences. */
@Command(name = "gradcheck", mixinStandardHelpOptions = true,
        description = {"Check each task's network, in DOUBLE with random weights and data, three ways: the "
                + "hand-written reference RNN against DL4J (outputs, score, every gradient), the reference against "
                + "finite differences, and DL4J's own GradientCheckUtil.",
            "Prints one row per task, comparison and parameter with the largest relative error; exits 1 if any fails."})
final class GradcheckCommand implements Callable<Integer> {
    private static final int MINIBATCH = 4;

    @ParentCommand
    RnnlabCommand root;

    @Parameters(index = "0", arity = "0..1", paramLabel = "TASK", defaultValue = "all",
            description = "a task, or all (default)")
    String taskName;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "seed of the random weights and data (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--model", paramLabel = "FILE", description = "check this Keras .h5 file or imported zip instead"
            + " of the tasks: the reference built from its Keras config, with its own weights, against the imported"
            + " network, scored by mean squared error")
    Path model;

    @Override
    public Integer call() {
        if (model != null) {
            return checkModel();
        }
        List<Task<?, ?>> tasks = taskName.equals("all") ? TaskRegistry.all() : List.of(TaskRegistry.require(taskName));
        printHeader();
        boolean passed = true;
        for (Task<?, ?> task : tasks) {
            NetworkUnderCheck check = task.networkUnderCheck();
            GradientCheck.Report report = GradientCheck.run(task.name(), check.configuration(), check.labels(),
                    MINIBATCH, check.steps(), new Random(seed));
            root.out.print(report.format());
            passed &= report.passed();
        }
        return verdict(passed);
    }

    private int checkModel() {
        if (!taskName.equals("all")) {
            throw new BadInputException("give a TASK or --model FILE, not both");
        }
        if (!Files.isRegularFile(model)) {
            throw new BadInputException("no such file: " + model);
        }
        if (!ImportedModel.isImported(model)) {
            throw new BadInputException(model + " is an rnnlab task model; gradcheck --model checks Keras files and"
                    + " imported zips (gradcheck TASK checks a task's network)");
        }
        ImportedModel imported = ImportedModel.read(model);
        // A Keras file's weights are read from the file itself, so the import's mapping of them is checked too.
        Map<String, double[][]> fileWeights = KerasFile.isHdf5(model) ? KerasWeights.read(model) : null;
        printHeader();
        GradientCheck.Report report = KerasGradientCheck.run(model.getFileName().toString(), imported, fileWeights,
                MINIBATCH, new Random(seed));
        root.out.print(report.format());
        return verdict(report.passed());
    }

    private void printHeader() {
        root.out.printf("%-16s %-28s %-8s %10s  %-11s %s%n", "task", "comparison", "param", "max error", "tolerance",
                "verdict");
    }

    private int verdict(boolean passed) {
        root.out.println(passed ? "All gradient checks passed." : "A gradient check FAILED.");
        return passed ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
    }
}
