package org.rnnlab.tasks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.rnnlab.BadInputException;
import org.rnnlab.data.ForwardPassData;
import org.rnnlab.nets.Training;

class ForwardPassTaskTest {
    @TempDir
    Path dir;

    private final ForwardPassTask task = new ForwardPassTask();

    private TaskContext context(Path data) {
        return new TaskContext(data, new PrintStream(OutputStream.nullOutputStream()), false);
    }

    /** The seed's loop, written here independently of the reference RNN: s = tanh(W x + U s + b). */
    private static double[][] seedLoop(ForwardPassData.Draw draw) {
        int out = draw.b().length;
        double[] state = new double[out];
        double[][] outputs = new double[draw.inputs().length][];
        for (int t = 0; t < draw.inputs().length; t++) {
            double[] next = new double[out];
            for (int j = 0; j < out; j++) {
                double z = draw.b()[j];
                for (int i = 0; i < draw.inputs()[t].length; i++) {
                    z += draw.w()[j][i] * draw.inputs()[t][i];
                }
                for (int k = 0; k < out; k++) {
                    z += draw.u()[j][k] * state[k];
                }
                next[j] = Math.tanh(z);
            }
            outputs[t] = next;
            state = next;
        }
        return outputs;
    }

    @Test
    void dl4jWithTheSeedsWeightsComputesTheSeedsLoop() throws IOException {
        ForwardPassTask.Options options = task.defaultOptions();
        Training training = task.train(options, context(dir));
        INDArray output = training.model().network().output(ForwardPassTask.readInputs(dir.resolve(task.name()),
                task.defaultOptions()));
        assertArrayEquals(new long[] {1, 64, 100}, output.shape());

        double[][] loop = seedLoop(ForwardPassData.generate(new ForwardPassData.Recipe(options.seed(), 100, 32, 64,
                options.weightScale())));
        double max = 0;
        for (int t = 0; t < 100; t++) {
            for (int k = 0; k < 64; k++) {
                max = Math.max(max, Math.abs(output.getDouble(0, k, t) - loop[t][k]));
            }
        }
        assertTrue(max < 1e-12, "largest difference " + max);
        assertTrue(task.evaluate(training.model(), options, context(dir)).get("max_abs_difference") < 1e-12);
    }

    @Test
    void theSeedsOwnScaleSaturatesEveryUnitAndTheDefaultNone() throws IOException {
        ForwardPassTask.Options seeds = new ForwardPassTask.Options(42, 100, 32, 64, 1.0);
        Training saturated = task.train(seeds, context(dir.resolve("seed")));
        assertEquals(1.0, task.evaluate(saturated.model(), seeds, context(dir.resolve("seed"))).get("saturated_fraction"));
        ForwardPassTask.Options defaults = task.defaultOptions();
        Training mild = task.train(defaults, context(dir.resolve("default")));
        assertEquals(0.0, task.evaluate(mild.model(), defaults, context(dir.resolve("default"))).get("saturated_fraction"));
    }

    @Test
    void theInputsAreWrittenOncePerRecipeAsOneLinePerFeature() throws IOException {
        task.train(task.defaultOptions(), context(dir));
        Path inputs = dir.resolve(task.name()).resolve(ForwardPassTask.INPUTS);
        var lines = Files.readAllLines(inputs);
        assertEquals(1 + 32, lines.size());
        assertEquals(100, lines.get(1).split(",").length);
        byte[] first = Files.readAllBytes(inputs);
        task.train(task.defaultOptions(), context(dir.resolve("again")));
        assertArrayEquals(first, Files.readAllBytes(dir.resolve("again").resolve(task.name()).resolve(ForwardPassTask.INPUTS)));
    }

    @Test
    void predictTakesStepsOf32ValuesSeparatedBySemicolons() throws IOException {
        Training training = task.train(task.defaultOptions(), context(dir));
        String step = "0.5,".repeat(31) + "0.5";
        String answer = task.predict(training.model(), task.defaultOptions(), step + ";" + step);
        assertTrue(answer.startsWith("output after step 2:"), answer);
        assertEquals(64, answer.lines().skip(1).flatMap(l -> java.util.Arrays.stream(l.trim().split("\\s+"))).count());
        assertThrows(BadInputException.class, () -> task.predict(training.model(), task.defaultOptions(), "1,2,3"));
    }
}
