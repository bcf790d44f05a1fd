package org.rnnlab.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data that reads but cannot be trained on (rows of the wrong width, NaN and infinite cells, blank
 * rows, a corpus of one character or too short to hold any text out, inputs beyond 32-bit floats):
 * one line naming the file and the line, exit 2, before training, nothing saved (issue 18, item 6).
 */
class DegenerateDataTest {
    @TempDir
    Path dir;

    /** A long run: a file refused only after training would show as a slow failure. */
    private CommandLineRun train(String task, String... more) {
        List<String> args = new ArrayList<>(List.of("--no-progress", "--data-dir", dir.resolve("data").toString(),
                "train", task, "--no-plots", "--out", dir.resolve("out").toString()));
        args.addAll(List.of(more));
        return CommandLineRun.run(args.toArray(String[]::new));
    }

    /** Generates the task's data with a one-epoch run, then changes line 2 (the first data line) of one file. */
    private Path edited(String task, String file, UnaryOperator<String> change) throws IOException {
        Path csv = dir.resolve("data").resolve(task).resolve(file);
        if (!Files.exists(csv)) {
            CommandLineRun first = train(task, "--epochs", "1");
            assertTrue(first.code() <= 1, first.err());
            deleteModel();
        }
        List<String> lines = new ArrayList<>(Files.readAllLines(csv));
        lines.set(1, change.apply(lines.get(1)));
        Files.write(csv, lines);
        return csv;
    }

    private void deleteModel() throws IOException {
        Files.deleteIfExists(dir.resolve("out").resolve("model.zip"));
        Files.deleteIfExists(dir.resolve("out").resolve("metrics.json"));
    }

    private void refusedBeforeTraining(String task, Path csv, String expected) {
        long start = System.nanoTime();
        CommandLineRun run = train(task, "--epochs", "100000");
        String line = run.oneLineError();
        assertTrue(line.contains(csv.toString()) && line.contains(expected), line);
        assertTrue((System.nanoTime() - start) / 1e9 < 30, "refused before 100,000 epochs");
        assertFalse(Files.exists(dir.resolve("out").resolve("model.zip")), "no model saved");
    }

    @Test
    void rowsWiderOrNarrowerThanTheRecipeAreRefused() throws IOException {
        Path csv = edited("binary-sum", "train.features.csv", row -> row + ",1");
        refusedBeforeTraining("binary-sum", csv, "line 2: more than 7 values; expected 7 (one per bit)");
        edited("binary-sum", "train.features.csv", row -> "1,0,1,0,1,0");
        refusedBeforeTraining("binary-sum", csv, "line 2: 6 values; expected 7");
        Path labels = edited("sine-wave", "validation.labels.csv", row -> row.substring(0, row.lastIndexOf(',')));
        refusedBeforeTraining("sine-wave", labels, "line 2: 9 values; expected 10");
        Path counts = edited("count-up", "train.labels.csv", row -> row + "," + "9,".repeat(250_000) + "9");
        refusedBeforeTraining("count-up", counts, "line 2: more than 5 values");
    }

    @Test
    void cellsThatAreNotFiniteNumbersAreRefused() throws IOException {
        String[][] cells = {{"NaN", "is not a finite number"}, {"Infinity", "is not a finite number"},
            {"-1e400", "is not a finite number"}, {"", "value 1 is empty"}, {"x", "'x', is not a number"}};
        for (String[] cell : cells) {
            Path csv = edited("sine-wave", "train.features.csv", row -> cell[0] + row.substring(row.indexOf(',')));
            refusedBeforeTraining("sine-wave", csv, cell[1]);
            Files.delete(dir.resolve("data").resolve("sine-wave").resolve("dataset.json")); // generate afresh
            Files.delete(csv);
        }
    }

    @Test
    void blocksOfTheWrongSizeAreRefused() throws IOException {
        Path pairs = edited("binary-addition", "train.features.csv", row -> row + "\n" + row);
        refusedBeforeTraining("binary-addition", pairs, "line 4: sequence 1 has more than 2 lines");
        Path points = edited("increasing-sum", "test.features.csv", row -> "1,2,3,4,5,6,7,8,9");
        refusedBeforeTraining("increasing-sum", points, "line 2: more than 8 values; expected 2 to 8");
    }

    @Test
    void aCorpusOfOneCharacterOrTooShortToHoldTextOutIsRefused() throws IOException {
        for (String[] corpus : new String[][] {{"a".repeat(30_000), "one distinct character ('a')"},
            {"\n".repeat(30_000), "one distinct character (U+000A)"},
            {"the quick brown fox jumps over the lazy dog\n".repeat(100), "has 4400 characters; char-rnn holds out"}}) {
            Path file = Files.writeString(dir.resolve("corpus.txt"), corpus[0]);
            long start = System.nanoTime();
            String line = train("char-rnn", "--corpus", file.toString(), "--seconds", "600").oneLineError();
            assertTrue(line.contains(file.toString()) && line.contains(corpus[1]), line);
            assertTrue((System.nanoTime() - start) / 1e9 < 30, "refused before 600 s of training");
            assertFalse(Files.exists(dir.resolve("out").resolve("model.zip")));
        }
    }

    @Test
    void predictionInputsBeyondWhatTheNetworkCarriesAreRefused() throws IOException {
        CommandLineRun trained = train("count-up", "--epochs", "1");
        assertTrue(trained.code() <= 1, trained.err());
        String model = dir.resolve("out").resolve("model.zip").toString();
        for (String[] input : new String[][] {{"1e300", "is beyond +-1e30"}, {"2e6", "within +-1000000"},
            {"-5e7,3", "within +-1000000"}, {"NaN", "only finite numbers"}}) {
            String line = CommandLineRun.run("predict", "--model", model, "--input", input[0]).oneLineError();
            assertTrue(line.contains(input[1]), input[0] + ": " + line);
        }
        CommandLineRun fine = CommandLineRun.run("predict", "--model", model, "--input", "999999");
        assertTrue(fine.code() == 0 && !fine.out().contains("NaN"), fine.out() + fine.err());
    }
}
