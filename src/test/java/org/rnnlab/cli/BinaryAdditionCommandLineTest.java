package org.rnnlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rnnlab.cli.CommandLineRun.run;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** binary-addition as a user meets it: train with the defaults, then add 47 and 35 from the command line. */
class BinaryAdditionCommandLineTest {
    @TempDir
    Path tmp;

    @Test
    void trainThenPredict47Plus35() {
        Path out = tmp.resolve("model");
        Path data = tmp.resolve("data");
        CommandLineRun train = run("train", "binary-addition", "--no-progress", "--out", out.toString(), "--data-dir",
                data.toString());
        assertEquals(0, train.code(), "the defaults meet the floor\n" + train.err() + train.out());
        assertTrue(Files.isRegularFile(data.resolve("binary-addition/all-pairs.features.csv")), "data went to --data-dir");
        // The seed's four lines, every epoch by default, and the floor met.
        assertTrue(train.out().contains("after epoch 1 of ") && train.out().contains("  predicted  "), train.out());
        assertTrue(train.out().contains("exact_sums          1   floor >= 1  met"), train.out());

        String model = out.resolve("model.zip").toString();
        CommandLineRun predict = run("predict", "binary-addition", "--model", model, "--input", "47,35");
        assertEquals(0, predict.code(), predict.err());
        assertEquals("47 + 35: predicted bits 0 1 0 1 0 0 1 0 (most significant first) = 82", predict.out().strip());

        // Out of range: exit 2 and one line naming the accepted range.
        CommandLineRun bad = run("predict", "binary-addition", "--model", model, "--input", "128,1");
        assertEquals(2, bad.code());
        assertEquals(1, bad.err().lines().count(), bad.err());
        assertTrue(bad.err().contains("0..127") && !bad.err().contains("Exception"), bad.err());

        CommandLineRun evaluate = run("evaluate", "binary-addition", "--model", model, "--data-dir", data.toString());
        assertEquals(0, evaluate.code(), evaluate.err());
        assertTrue(evaluate.out().contains("unseen_exact_sums   1"), evaluate.out());
    }

    @Test
    void listAndHelpShowTheTask() {
        CommandLineRun list = run("list");
        assertTrue(list.out().lines().anyMatch(l -> l.startsWith("binary-addition ")), list.out());
        CommandLineRun help = run("train", "binary-addition", "--help");
        assertEquals(0, help.code(), help.err());
        for (String option : new String[] {"--epochs", "--training-pairs", "--hidden", "--hidden-bias=true|false",
            "--output-bias=true|false", "--learning-rate", "--batch-size", "--print-every"}) {
            assertTrue(help.out().contains(option), option + " missing from:\n" + help.out());
        }
        assertFalse(help.out().contains("--target"), "binary-sum's options do not leak in");
    }
}
