package org.rnnlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rnnlab.cli.CommandLineRun.run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seed 004's two tasks on the command line, through {@link Main#execute}: list, help, bad options,
 * short training runs into temporary folders, then evaluate and predict from the saved zips.
 */
class IncreasingSumAndCountUpCommandLineTest {
    @TempDir
    Path tmp;

    /** Trains briefly into tmp/models/TASK with data under tmp/data; returns the model zip. */
    private Path train(String task, String epochs) {
        Path out = tmp.resolve("models").resolve(task);
        CommandLineRun run = run("train", task, "--epochs", epochs, "--no-progress", "--out", out.toString(),
                "--data-dir", tmp.resolve("data").toString());
        // A short run may miss the floor: exit 1 is as good as 0 here, anything else is not.
        assertTrue(run.code() == 0 || run.code() == 1, "exit " + run.code() + "\n" + run.err() + run.out());
        assertTrue(Files.isRegularFile(out.resolve("model.zip")), run.out());
        assertTrue(Files.isRegularFile(out.resolve("metrics.json")), run.out());
        assertTrue(Files.isRegularFile(tmp.resolve("data").resolve(task).resolve("dataset.json")), "data went to --data-dir");
        return out.resolve("model.zip");
    }

    @Test
    void listShowsBothTasks() {
        CommandLineRun run = run("list");
        assertEquals(0, run.code(), run.err());
        List<String> lines = run.out().lines().toList();
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("increasing-sum ")), run.out());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("count-up ")), run.out());
    }

    @Test
    void eachTaskListsItsOptions() {
        for (String task : List.of("increasing-sum", "count-up")) {
            CommandLineRun run = run("train", task, "--help");
            assertEquals(0, run.code(), run.err());
            for (String option : List.of("--epochs", "--seed", "--hidden", "--learning-rate", "--batch-size", "--out")) {
                assertTrue(run.out().contains(option), task + ": " + option + " missing from:\n" + run.out());
            }
        }
    }

    @Test
    void badOptionsAreOneLineErrorsNamingTheOptionAndItsRange() {
        String line = run("train", "count-up", "--epochs", "0").oneLineError();
        assertTrue(line.contains("--epochs") && line.contains("1..100000"), line);
        line = run("train", "increasing-sum", "--hidden", "0").oneLineError();
        assertTrue(line.contains("--hidden") && line.contains("1..1024"), line);
        line = run("train", "increasing-sum", "--learning-rate", "-1").oneLineError();
        assertTrue(line.contains("--learning-rate"), line);
    }

    @Test
    void countUpTrainsSavesEvaluatesAndGeneratesFromTheCommandLine() {
        Path model = train("count-up", "40");
        CommandLineRun evaluate = run("evaluate", "count-up", "--model", model.toString(), "--data-dir",
                tmp.resolve("data").toString());
        assertTrue(evaluate.code() == 0 || evaluate.code() == 1, evaluate.err());
        assertTrue(evaluate.out().contains("max_abs_error"), evaluate.out());

        CommandLineRun predict = run("predict", "count-up", "--model", model.toString(), "--input", "105");
        assertEquals(0, predict.code(), predict.err());
        assertTrue(predict.out().startsWith("generated from 105:"), predict.out());
        assertEquals(8, predict.out().strip().split(":")[1].strip().split(" ").length, predict.out());

        CommandLineRun three = run("predict", "count-up", "--model", model.toString(), "--input", "7,3");
        assertEquals(0, three.code(), three.err());
        assertEquals(3, three.out().strip().split(":")[1].strip().split(" ").length, three.out());

        assertTrue(run("predict", "count-up", "--model", model.toString(), "--input", "seven").oneLineError()
                .contains("--input"));
        assertTrue(run("predict", "count-up", "--model", model.toString(), "--input", "7,0").oneLineError()
                .contains("1..1000"));
        // A count-up model is not an increasing-sum model.
        assertTrue(run("predict", "increasing-sum", "--model", model.toString(), "--input", "1,2;3,4").oneLineError()
                .contains("count-up"));
    }

    @Test
    void increasingSumTrainsSavesAndPredictsFromTheCommandLine() {
        Path model = train("increasing-sum", "1");
        CommandLineRun predict = run("predict", "increasing-sum", "--model", model.toString(), "--input",
                "1,3;4,2;5,7;-2,15");
        assertEquals(0, predict.code(), predict.err());
        assertTrue(predict.out().startsWith("probability that x1+x2 rises at every step: "), predict.out());
        assertTrue(predict.out().contains("sums 4 6 12 13: the rule says rising"), predict.out());

        String line = run("predict", "increasing-sum", "--model", model.toString(), "--input", "1,3;4").oneLineError();
        assertTrue(line.contains("point 2"), line);
        line = run("predict", "increasing-sum", "--model", model.toString(), "--input", "1,3;x,2").oneLineError();
        assertTrue(line.contains("'x'"), line);
    }

    @Test
    void gradientChecksPass() {
        for (String task : List.of("increasing-sum", "count-up")) {
            CommandLineRun run = run("gradcheck", task);
            assertEquals(0, run.code(), run.out() + run.err());
            assertTrue(run.out().contains("All gradient checks passed."), run.out());
            assertFalse(run.out().contains("FAILED"), run.out());
        }
    }
}
