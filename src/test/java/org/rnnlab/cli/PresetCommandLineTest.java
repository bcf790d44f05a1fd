package org.rnnlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rnnlab.cli.CommandLineRun.run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnnlab.nets.ModelStore;
import org.rnnlab.nets.Optimizer;
import org.rnnlab.tasks.CharRnnTask;

/** {@code train char-rnn --preset seed}: the seed's recipe, with typed options on top; unknown presets refused. */
class PresetCommandLineTest {
    @TempDir
    Path tmp;

    @Test
    void thePresetReplacesTheDefaultsAndTypedOptionsOverrideIt() throws Exception {
        StringBuilder text = new StringBuilder();
        Random random = new Random(2);
        while (text.length() < 20_000) { // enough for char-rnn to hold a block out
            text.append("abcdefgh ".charAt(random.nextInt(9)));
        }
        Path corpus = Files.writeString(tmp.resolve("text.txt"), text);
        Path out = tmp.resolve("seed");
        CommandLineRun trained = run("--no-progress", "--data-dir", tmp.resolve("data").toString(), "train", "char-rnn",
                "--preset", "seed", "--corpus", corpus.toString(), "--iterations", "20", "--out", out.toString(),
                "--no-plots");
        assertTrue(trained.code() == 0 || trained.code() == 1, trained.err());
        CharRnnTask.Options saved = ModelStore.readInfo(out.resolve("model.zip")).options(CharRnnTask.Options.class);
        CharRnnTask.Options seed = new CharRnnTask().seedOptions();
        assertEquals(Optimizer.ADAGRAD, saved.optimizer(), "from the preset");
        assertEquals(seed.batchSize(), saved.batchSize(), "from the preset");
        assertEquals(seed.learningRate(), saved.learningRate(), "from the preset");
        assertEquals(20, saved.iterations(), "typed");
        assertEquals(corpus.toString(), saved.corpus(), "typed");
    }

    @Test
    void anUnknownPresetIsOneLine() {
        String line = run("train", "char-rnn", "--preset", "fastest").oneLineError();
        assertEquals("rnnlab: --preset fastest is not a preset of char-rnn; it has: seed", line);
    }

    @Test
    void helpNamesThePresets() {
        CommandLineRun help = run("train", "char-rnn", "--help");
        assertTrue(help.out().contains("--preset=NAME") && help.out().contains("(seed)"), help.out());
        assertTrue(run("train", "sine-wave", "--help").out().indexOf("--preset") < 0, "tasks without presets have no --preset");
    }
}
