package org.rnnlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rnnlab.cli.CommandLineRun.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnlab.tasks.Task;
import org.rnnlab.tasks.TaskRegistry;

/** {@code rnnlab predict}: the task taken from the zip, a file of inputs, and an example for every task. */
class PredictCommandLineTest {
    @TempDir
    static Path dir;
    static Path model;

    @BeforeAll
    static void trainBriefly() {
        model = dir.resolve("binary-sum").resolve("model.zip");
        CommandLineRun trained = run("--no-progress", "--data-dir", dir.resolve("data").toString(), "train",
                "binary-sum", "--epochs", "2", "--no-plots", "--out", model.getParent().toString());
        assertTrue(trained.code() == 0 || trained.code() == 1, trained.err());
    }

    @Test
    void theZipNamesItsTaskAndAGivenTaskMustAgree() {
        CommandLineRun byModel = run("predict", "--model", model.toString(), "--input", "1,0,1,1,0,1,0");
        assertEquals(0, byModel.code(), byModel.err());
        assertTrue(byModel.out().startsWith("predicted sum: "), byModel.out());
        assertEquals(byModel.out(), run("predict", "binary-sum", "--model", model.toString(), "--input",
                "1,0,1,1,0,1,0").out());
        String other = run("predict", "sine-wave", "--model", model.toString(), "--input", "0,1").oneLineError();
        assertTrue(other.contains("holds a binary-sum model, not sine-wave"), other);
        String neither = run("predict", "--input", "1").oneLineError();
        assertTrue(neither.contains("give the task"), neither);
    }

    @Test
    void aFileGivesOnePredictionALineAndSkipsHeadersCommentsAndBlankLines() throws IOException {
        Path inputs = Files.writeString(dir.resolve("bits.csv"),
                "bit1,bit2,bit3,bit4,bit5,bit6,bit7\n1,0,1,1,0,1,0\n# all ones\n\n1,1,1,1,1,1,1\n");
        CommandLineRun printed = run("predict", "--model", model.toString(), "--input-file", inputs.toString());
        assertEquals(0, printed.code(), printed.err());
        List<String> lines = printed.out().lines().toList();
        assertEquals(2, lines.size(), printed.out());
        assertTrue(lines.stream().allMatch(l -> l.startsWith("predicted sum: ")), printed.out());

        Path written = dir.resolve("predictions.txt");
        CommandLineRun toFile = run("predict", "--model", model.toString(), "--input-file", inputs.toString(),
                "--output", written.toString());
        assertEquals(0, toFile.code(), toFile.err());
        assertEquals(lines, Files.readAllLines(written));

        Path bad = Files.writeString(dir.resolve("bad.csv"), "1,0,1,1,0,1,0\n1,0,2\n");
        String error = run("predict", "--model", model.toString(), "--input-file", bad.toString()).oneLineError();
        assertTrue(error.contains("input 2 ('1,0,2')"), error);
        String both = run("predict", "--model", model.toString(), "--input", "1", "--input-file", bad.toString())
                .oneLineError();
        assertTrue(both.contains("mutually exclusive"), both);
    }

    @Test
    void helpShowsAnExampleForEveryTask() {
        String help = run("predict", "--help").out();
        for (Task<?, ?> task : TaskRegistry.all()) {
            assertTrue(help.contains("rnnlab predict " + task.name() + " --input " + task.predictExample().shown()),
                    task.name() + " in\n" + help);
        }
        assertTrue(help.contains("32 values a step"), "forward-pass says how many values a step takes:\n" + help);
    }
}
