package org.rnnlab.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.rnnlab.BadInputException;
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
        description = "Train every task with its defaults, save each under models/TASK, and end with a results table.")
final class AllCommand implements Callable<Integer> {
    @ParentCommand
    RnnlabCommand root;

    @Option(names = "--quick", description = "a few epochs per task: checks that everything runs, not the quality floors")
    boolean quick;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "models",
            description = "the folder that gets one model folder per task (default: ${DEFAULT-VALUE})")
    Path outRoot;

    @Override
    public Integer call() throws IOException {
        ResultsTable table = new ResultsTable();
        boolean allMet = true;
        for (Task<?> task : TaskRegistry.all()) {
            try {
                TaskRunner.Outcome outcome = trainWithDefaults(task, root.context());
                table.add(task.name(), outcome.metrics(), outcome.trainSeconds(), !quick);
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
        return allMet || quick ? RnnlabCommand.OK : RnnlabCommand.CHECK_FAILED;
    }

    private <O extends Record> TaskRunner.Outcome trainWithDefaults(Task<O> task, TaskContext context)
            throws IOException {
        O options = quick ? task.quickOptions() : task.defaultOptions();
        return TaskRunner.train(task, options, context, outRoot.resolve(task.name()));
    }
}
