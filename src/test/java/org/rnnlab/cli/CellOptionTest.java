package org.rnnlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --cell builds each task's recurrent layers of the chosen cell, saved, reloaded and summarised as such (issue 19). */
class CellOptionTest {
    @TempDir
    Path dir;

    private CommandLineRun train(String task, String cell, String... more) {
        String[] args = {"--no-progress", "--data-dir", dir.resolve("data").toString(), "train", task, "--cell", cell,
            "--no-plots", "--out", dir.resolve(task + "-" + cell).toString()};
        String[] all = java.util.Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return CommandLineRun.run(all);
    }

    @Test
    void everyEpochTaskTrainsGatedCellsThatLoadAndPredict() {
        String[][] tasks = {{"binary-sum", "1,0,1,1,0,0,1"}, {"binary-addition", "3,5"}, {"count-up", "7"},
            {"sine-wave", "0.1,0.2,0.3"}, {"increasing-sum", "1,3;4,2;5,7"}};
        for (String[] task : tasks) {
            String cell = task[0].startsWith("b") ? "GRU" : "LSTM"; // each cell on some tasks, to keep the test short
            CommandLineRun run = train(task[0], cell, "--epochs", "1");
            assertTrue(run.code() <= 1, task[0] + ": " + run.err());
            String model = dir.resolve(task[0] + "-" + cell).resolve("model.zip").toString();
            CommandLineRun summary = CommandLineRun.run("summary", "--model", model);
            assertEquals(0, summary.code(), summary.err());
            assertTrue(summary.out().contains("(" + cell + ")"), summary.out());
            CommandLineRun predict = CommandLineRun.run("predict", "--model", model, "--input", task[1]);
            assertEquals(0, predict.code(), task[0] + ": " + predict.err());
        }
    }

    @Test
    void charRnnTrainsAnLstmSamplesItAndKeepsTheCellOnResume() throws IOException {
        Random random = new Random(5);
        StringBuilder text = new StringBuilder();
        while (text.length() < 20_000) {
            text.append("abcdefgh ".charAt(random.nextInt(9)));
        }
        Path corpus = Files.writeString(dir.resolve("text.txt"), text);
        CommandLineRun run = train("char-rnn", "LSTM", "--corpus", corpus.toString(), "--iterations", "2", "--hidden",
                "16", "--batch-size", "4");
        assertTrue(run.code() <= 1, run.err());
        Path model = dir.resolve("char-rnn-LSTM").resolve("model.zip");
        CommandLineRun sample = CommandLineRun.run("sample", "--model", model.toString(), "--length", "30");
        assertEquals(0, sample.code(), sample.err());
        assertTrue(sample.out().strip().length() >= 20, sample.out());
        String line = CommandLineRun.run("--no-progress", "train", "char-rnn", "--resume", model.toString(), "--cell",
                "SIMPLE", "--iterations", "1", "--no-plots", "--out", dir.resolve("resumed").toString()).oneLineError();
        assertTrue(line.contains("--cell SIMPLE cannot change when resuming"), line);
    }

    @Test
    void anUnknownCellIsOneLine() {
        String line = train("sine-wave", "LSMT", "--epochs", "1").oneLineError();
        assertTrue(line.contains("--cell") && line.contains("LSTM"), line);
    }

    @Test
    void addingProblemComparesTheCellsFromTheCommandLine() throws IOException {
        CommandLineRun compared = train("adding-problem", "LSTM", "--steps", "8", "--sequences", "100", "--epochs", "1",
                "--compare-steps", "4,8");
        assertTrue(compared.code() <= 1, compared.err());
        assertTrue(compared.out().contains("Every cell trained alike") && compared.out().contains("GRU"), compared.out());
        String metrics = Files.readString(dir.resolve("adding-problem-LSTM").resolve("metrics.json"));
        assertTrue(metrics.contains("\"simple_t4_mse\"") && metrics.contains("\"gru_t8_mse\""), metrics);
        // Without --compare-steps, the default lengths 10, 25, 50, 100; with 0, the task's own network only
        String[] small = {"--steps", "8", "--sequences", "100", "--epochs", "1"};
        CommandLineRun defaults = train("adding-problem", "GRU", small);
        assertTrue(defaults.code() <= 1 && defaults.out().contains("T =   10") && defaults.out().contains("T =  100"),
                defaults.out() + defaults.err());
        String[] none = java.util.Arrays.copyOf(small, small.length + 2);
        none[small.length] = "--compare-steps";
        none[small.length + 1] = "0";
        CommandLineRun alone = train("adding-problem", "GRU", none);
        assertTrue(alone.code() <= 1 && !alone.out().contains("Every cell trained alike"), alone.out() + alone.err());
    }
}
