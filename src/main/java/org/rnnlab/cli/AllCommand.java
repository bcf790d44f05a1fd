package org.rnnlab.cli;

import org.rnnlab.tasks.ExitCodes;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.rnnlab.BadInputException;
import org.rnnlab.plots.ReportPage;
import org.rnnlab.report.ResultsTable;
import org.rnnlab.tasks.Task;
import org.rnnlab.tasks.TaskContext;
import org.rnnlab.tasks.TaskRegistry;
import org.rnnlab.tasks.TaskRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code rnnlab all}: every task with its defaults, then one results table. */
@Command(name = "all", mixinStandardHelpOptions = true,
        description = "Train every task with its defaults, save each under models/TASK with its PNG charts, end with a "
                + "results table, and write models/index.html: the table and every picture, readable offline.")
final class AllCommand implements Callable<Integer> {
    @ParentCommand
    RnnlabCommand root;

    /** Where {@code --quick} saves unless --out says otherwise: never over the full models. */
    static final Path QUICK_MODELS = Path.of("models-quick");

    @Option(names = "--quick", description = "a few epochs per task: checks that everything runs, not the quality floors;"
            + " saves under " + "models-quick/ unless --out says otherwise, so the full models stay")
    boolean quick;

    @Option(names = "--out", paramLabel = "DIR",
            description = "the folder that gets one model folder per task (default: models, or models-quick with --quick)")
    Path outRoot;

    @Option(names = "--no-plots", description = "write no PNG charts and no index.html (for headless batch runs)")
    boolean noPlots;

    @Override
    public Integer call() throws IOException {
        if (outRoot == null) {
            outRoot = defaultOutRoot(quick);
        }
        if (quick) {
            root.out.println("Quick run: a few epochs per task, saved under " + outRoot + "/ (the full models in models/"
                    + " are left as they are)");
        }
        ResultsTable table = new ResultsTable();
        List<ReportPage.Section> sections = new ArrayList<>();
        boolean allMet = true;
        for (Task<?, ?> task : TaskRegistry.all()) {
            try {
                TaskRunner.Outcome outcome = trainWithDefaults(task, root.context(!noPlots, List.of()));
                table.add(task.name(), outcome.metrics(), outcome.trainSeconds(), !quick);
                sections.add(new ReportPage.Section(task.name(), outcome.pictures().stream()
                        .map(p -> new ReportPage.Figure(relative(p.file()), p.caption())).toList()));
                allMet &= outcome.metrics().floorsMet();
            } catch (BadInputException e) {
                // One task's failure (say, a diverged run) should not hide the others' results.
                root.err.println("rnnlab: " + task.name() + ": " + e.getMessage());
                table.addFailure(task.name(), e.getMessage());
                allMet = false;
            }
            root.out.println();
        }
        root.out.println(quick ? "Results (quick run: floors not enforced)" : "Results");
        root.out.print(table.format());
        if (!noPlots) {
            Path page = ReportPage.write(outRoot, quick ? "rnnlab: all tasks (quick run)" : "rnnlab: all tasks", table,
                    sections);
            root.out.println("Report with every picture: " + page);
        }
        return allMet || quick ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
    }

    /** models/, or models-quick/ for a quick run, so that a first look never replaces a trained model. */
    static Path defaultOutRoot(boolean quick) {
        return quick ? QUICK_MODELS : Path.of("models");
    }

    /** A picture's path as index.html (in the output folder) links it: relative, with '/' separators. */
    private String relative(Path picture) {
        Path relative = outRoot.toAbsolutePath().normalize().relativize(picture.toAbsolutePath().normalize());
        return StreamSupport.stream(relative.spliterator(), false).map(Path::toString).collect(Collectors.joining("/"));
    }

    private <O extends Record> TaskRunner.Outcome trainWithDefaults(Task<O, ?> task, TaskContext context)
            throws IOException {
        O options = quick ? task.quickOptions() : task.defaultOptions();
        return TaskRunner.train(task, options, context, outRoot.resolve(task.name()));
    }
}
