package org.rnnlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** rnnlab import, summary --model and predict --input-npy on a real Keras file, as a user types them. */
class KerasCommandLineTest {
    static final Path KERAS = Path.of("..", "shared", "keras");

    @TempDir
    Path dir;

    @Test
    void importSummaryAndPredictOfAKerasFile() throws Exception {
        Path h5 = KERAS.resolve("tfkeras_rnn_5.h5");
        assumeTrue(Files.isRegularFile(h5), "no " + h5.toAbsolutePath() + ": the real Keras files are not here");
        Path zip = dir.resolve("imported").resolve("model.zip");
        CommandLineRun imported = CommandLineRun.run("import", h5.toString(), "--out", zip.toString());
        assertEquals(0, imported.code(), imported.err());
        assertTrue(imported.out().contains("Keras 2.2.4-tf, tensorflow backend") && imported.out().contains("528 parameters"),
                imported.out());

        // The Keras styles print the Keras model as its config describes it, from the .h5 and from the zip alike
        for (Path model : new Path[] {h5, zip}) {
            CommandLineRun summary = CommandLineRun.run("summary", "--model", model.toString(), "--style", "keras3");
            assertEquals(0, summary.code(), summary.err());
            assertTrue(summary.out().contains("Model: \"model_5\"") && summary.out().contains("bidirectional_2 (Bidirectional)")
                    && summary.out().contains("(None, 3, 12)") && summary.out().contains("Total params: 528"), summary.out());
        }

        // predict --input-npy: the zip and the .h5 give the same [batch, steps, features] answer
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 4).subi(0.5);
        Path npy = dir.resolve("x.npy");
        Files.write(npy, Nd4j.toNpyByteArray(x));
        INDArray[] answers = predictions(npy, h5, zip);
        assertEquals(java.util.List.of(2L, 3L, 12L), java.util.Arrays.stream(answers[0].shape()).boxed().toList());
        assertEquals(answers[0], answers[1]);

        // The zip belongs to no task: commands that need one say what it is for
        String evaluate = CommandLineRun.run("evaluate", "--model", zip.toString()).oneLineError();
        assertTrue(evaluate.contains("imported Keras model") && evaluate.contains("--input-npy"), evaluate);

        // A wrong width is one line, before DL4J's native code sees it
        Path wide = dir.resolve("wide.npy");
        Files.write(wide, Nd4j.toNpyByteArray(Nd4j.rand(DataType.FLOAT, 2, 3, 5)));
        CommandLineRun refused = CommandLineRun.run("predict", "--model", zip.toString(), "--input-npy", wide.toString());
        assertEquals(2, refused.code(), refused.err());
        assertTrue(refused.oneLineError().contains("takes inputs of shape [null,3,4]".replace("null", "None")),
                refused.err());
    }

    /**
     * gradcheck --model on a Keras file and on its imported zip: every row passes and the exit is 0;
     * a Bidirectional over last-step layers, which DL4J cannot back-propagate, fails with a note and 1;
     * a task's zip, or a task and --model together, are one line and 2.
     */
    @Test
    void gradcheckOfAKerasModel() throws Exception {
        Path h5 = KERAS.resolve("tfkeras_rnn_5.h5");
        Path lastStep = KERAS.resolve("tfkeras_rnn_7.h5");
        assumeTrue(Files.isRegularFile(h5) && Files.isRegularFile(lastStep), "no " + KERAS.toAbsolutePath()
                + ": the real Keras files are not here");
        Path zip = dir.resolve("imported.zip");
        assertEquals(0, CommandLineRun.run("import", h5.toString(), "--out", zip.toString()).code());
        for (Path model : new Path[] {h5, zip}) {
            CommandLineRun checked = CommandLineRun.run("gradcheck", "--model", model.toString());
            assertEquals(0, checked.code(), checked.out() + checked.err());
            assertTrue(checked.out().contains("bidirectional_2/backward/recurrent_kernel")
                    && checked.out().contains("reference vs finite diff.") && checked.out().contains("GradientCheckUtil")
                    && checked.out().endsWith("All gradient checks passed." + System.lineSeparator()), checked.out());
        }
        CommandLineRun failed = CommandLineRun.run("gradcheck", "--model", lastStep.toString());
        assertEquals(1, failed.code(), failed.out() + failed.err());
        assertTrue(failed.out().contains("DL4J could not back-propagate") && failed.out().contains("FAILED"), failed.out());

        Path models = dir.resolve("models");
        CommandLineRun trained = CommandLineRun.run("--data-dir", dir.resolve("data").toString(), "--no-progress", "train",
                "sine-wave", "--epochs", "1", "--no-plots", "--out", models.toString());
        assertTrue(trained.code() <= 1, trained.err());
        CommandLineRun task = CommandLineRun.run("gradcheck", "--model", models.resolve("model.zip").toString());
        assertEquals(2, task.code(), task.err());
        assertTrue(task.oneLineError().contains("gradcheck TASK"), task.err());
        CommandLineRun both = CommandLineRun.run("gradcheck", "sine-wave", "--model", h5.toString());
        assertEquals(2, both.code(), both.err());
        assertTrue(both.oneLineError().contains("not both"), both.err());
    }

    /** A trained model exported to Keras, summarised and imported back, then predicting what the model predicts. */
    @Test
    void exportWritesAKerasFileThatComesBack() throws Exception {
        Path models = dir.resolve("models");
        CommandLineRun trained = CommandLineRun.run("--data-dir", dir.resolve("data").toString(), "--no-progress", "train",
                "sine-wave", "--epochs", "1", "--no-plots", "--out", models.toString());
        assertTrue(trained.code() <= 1, trained.err());
        Path h5 = dir.resolve("sine-wave.h5");
        CommandLineRun exported = CommandLineRun.run("export", models.resolve("model.zip").toString(), "--keras",
                h5.toString());
        assertEquals(0, exported.code(), exported.err());
        assertTrue(exported.out().startsWith("Wrote " + h5) && Files.isRegularFile(h5), exported.out());
        CommandLineRun summary = CommandLineRun.run("summary", "--model", h5.toString(), "--style", "keras");
        assertTrue(summary.out().contains("simple_rnn (SimpleRNN)") && summary.out().contains("(None, 10, 32)")
                && summary.out().contains("time_distributed (TimeDist"), summary.out());

        INDArray x = Nd4j.rand(DataType.FLOAT, 3, 10, 1);
        Path npy = dir.resolve("x.npy");
        Files.write(npy, Nd4j.toNpyByteArray(x));
        INDArray[] answers = predictions(npy, models.resolve("model.zip"), h5);
        assertEquals(java.util.List.of(3L, 10L, 1L), java.util.Arrays.stream(answers[1].shape()).boxed().toList());
        assertTrue(answers[0].equalsWithEps(answers[1], 1e-5), answers[0] + " against " + answers[1]);

        CommandLineRun imported = CommandLineRun.run("import", h5.toString(), "--out", dir.resolve("back.zip").toString());
        assertEquals(0, imported.code(), imported.err());
        String again = CommandLineRun.run("export", dir.resolve("back.zip").toString(), "--keras",
                dir.resolve("again.h5").toString()).oneLineError();
        assertTrue(again.contains("was imported from Keras"), again);
    }

    /** A GRU model (rnnlab's Gru, Keras's reset_after=True) exported, imported back and predicting what it predicts. */
    @Test
    void aGruModelGoesOutToKerasAndBackIn() throws Exception {
        Path models = dir.resolve("gru");
        CommandLineRun trained = CommandLineRun.run("--data-dir", dir.resolve("data").toString(), "--no-progress", "train",
                "sine-wave", "--cell", "GRU", "--epochs", "1", "--no-plots", "--out", models.toString());
        assertTrue(trained.code() <= 1, trained.err());
        Path h5 = dir.resolve("sine-wave-gru.h5");
        CommandLineRun exported = CommandLineRun.run("export", models.resolve("model.zip").toString(), "--keras",
                h5.toString());
        assertEquals(0, exported.code(), exported.err());
        CommandLineRun summary = CommandLineRun.run("summary", "--model", h5.toString(), "--style", "keras");
        assertTrue(summary.out().contains("gru (GRU)"), summary.out());
        Path back = dir.resolve("back").resolve("model.zip");
        CommandLineRun imported = CommandLineRun.run("import", h5.toString(), "--out", back.toString());
        assertEquals(0, imported.code(), imported.err());

        INDArray x = Nd4j.rand(DataType.FLOAT, 3, 10, 1);
        Path npy = dir.resolve("x.npy");
        Files.write(npy, Nd4j.toNpyByteArray(x));
        Path[] from = {models.resolve("model.zip"), h5, back};
        INDArray[] answers = predictions(npy, from);
        assertEquals(java.util.List.of(3L, 10L, 1L), java.util.Arrays.stream(answers[2].shape()).boxed().toList());
        for (int k = 1; k < from.length; k++) {
            assertTrue(answers[0].equalsWithEps(answers[k], 1e-5), from[k] + ": " + answers[k] + " against " + answers[0]);
        }
    }

    /** {@code rnnlab predict --model M --input-npy X --output-npy Y} for each model, and each Y read back. */
    private INDArray[] predictions(Path npy, Path... models) throws Exception {
        INDArray[] answers = new INDArray[models.length];
        for (int k = 0; k < models.length; k++) {
            Path out = Files.createTempFile(dir, "y" + k, ".npy");
            CommandLineRun run = CommandLineRun.run("predict", "--model", models[k].toString(), "--input-npy", npy.toString(),
                    "--output-npy", out.toString());
            assertEquals(0, run.code(), run.err());
            answers[k] = Nd4j.createFromNpyFile(out.toFile());
        }
        return answers;
    }

    @Test
    void badKerasFilesEndInOneLineAndExitTwo() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.h5"), "not HDF5");
        Path keras3 = Files.write(dir.resolve("model.keras"), new byte[] {'P', 'K', 3, 4, 20, 0, 0, 0});
        for (Path bad : new Path[] {text, keras3, dir.resolve("missing.h5")}) {
            CommandLineRun run = CommandLineRun.run("import", bad.toString(), "--out", dir.resolve("m.zip").toString());
            assertEquals(2, run.code(), run.err());
            assertTrue(run.oneLineError().startsWith("rnnlab: " + bad), run.err());
        }
        assertTrue(!Files.exists(dir.resolve("m.zip")), "no zip written for a refused file");
    }
}
