package org.rnnlab.tasks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.dataset.api.preprocessor.NormalizerStandardize;
import org.rnnlab.BadInputException;
import org.rnnlab.data.DatasetFolder;
import org.rnnlab.data.IncreasingSumData;
import org.rnnlab.nets.Training;

class IncreasingSumTaskTest {
    @TempDir
    Path dir;

    private final IncreasingSumTask task = new IncreasingSumTask();

    /** Generates the data under {@code root} and returns the task's data folder there. */
    private Path dataDir(IncreasingSumTask.Options options, Path root) throws IOException {
        TaskContext context = context(root);
        task.data(options, context);
        return context.dataDir(task);
    }

    private TaskContext context(Path root) {
        return new TaskContext(root, new PrintStream(OutputStream.nullOutputStream()), false);
    }

    private IncreasingSumTask.Options options(int epochs, long seed) {
        IncreasingSumTask.Options d = task.defaultOptions();
        return new IncreasingSumTask.Options(new EpochTraining(epochs, seed, d.training().learningRate(), d.training().batchSize(), null), d.hidden());
    }

    @Test
    void theSameSeedWritesTheSameBytes() throws IOException {
        Path a = dataDir(options(1, 9), dir.resolve("a"));
        Path b = dataDir(options(1, 9), dir.resolve("b"));
        for (String file : List.of("train.features.csv", "train.labels.csv", "test.features.csv", "test.labels.csv",
                DatasetFolder.MANIFEST)) {
            assertArrayEquals(Files.readAllBytes(a.resolve(file)), Files.readAllBytes(b.resolve(file)), file);
        }
        Path c = dataDir(options(1, 10), dir.resolve("c"));
        assertTrue(!java.util.Arrays.equals(Files.readAllBytes(a.resolve("test.features.csv")),
                Files.readAllBytes(c.resolve("test.features.csv"))), "another seed, other points");
    }

    @Test
    void variableLengthsComeBackFromDataVecWithMasksAndTheLabelAtEachLastStep() throws IOException {
        IncreasingSumTask.Options options = options(1, 9);
        DataSet test = task.data(options, context(dir)).test();
        IncreasingSumData.Split truth = IncreasingSumData.generate(IncreasingSumTask.recipe(9)).test();

        assertArrayEquals(new long[] {1600, 2, 8}, test.getFeatures().shape());
        assertArrayEquals(new long[] {1600, 1, 8}, test.getLabels().shape());
        int[] lengths = new int[9];
        for (int i = 0; i < 1600; i++) {
            double[][] points = truth.points().get(i);
            int length = points.length;
            lengths[length]++;
            double[] featureMask = test.getFeaturesMaskArray().getRow(i).toDoubleVector();
            double[] labelMask = test.getLabelsMaskArray().getRow(i).toDoubleVector();
            for (int t = 0; t < 8; t++) {
                assertEquals(t < length ? 1.0 : 0.0, featureMask[t], "features mask, sequence " + i + " step " + t);
                assertEquals(t == length - 1 ? 1.0 : 0.0, labelMask[t], "label mask, sequence " + i + " step " + t);
                if (t < length) {
                    // read as floats: hundredths to float precision
                    assertEquals(points[t][0], test.getFeatures().getDouble(i, 0, t), 1e-6 * Math.max(1, Math.abs(points[t][0])));
                    assertEquals(points[t][1], test.getFeatures().getDouble(i, 1, t), 1e-6 * Math.max(1, Math.abs(points[t][1])));
                } else {
                    assertEquals(0.0, test.getFeatures().getDouble(i, 0, t), 0.0, "padding is zero");
                }
            }
            assertEquals(truth.labels().get(i)[0], test.getLabels().getDouble(i, 0, length - 1), 0.0, "sequence " + i);
        }
        for (int length = 2; length <= 8; length++) {
            assertTrue(lengths[length] > 0, "length " + length);
        }
    }

    @Test
    void theNormalizerIsFittedOnTheRealPointsNotThePadding() throws IOException {
        IncreasingSumTask.Options options = options(1, 9);
        Training training = task.train(options, context(dir));
        NormalizerStandardize normalizer = (NormalizerStandardize) training.model().normalizer();
        IncreasingSumData.Split truth = IncreasingSumData.generate(IncreasingSumTask.recipe(9)).train();
        // Fitted on what the network reads: each sequence scaled on its own (IncreasingSumTask.scaled)
        List<double[][]> scaled = new java.util.ArrayList<>();
        for (double[][] points : truth.points()) {
            double[] flat = new double[2 * points.length]; // [1, 2, T] in 'c' order: x1 at each step, then x2
            for (int t = 0; t < points.length; t++) {
                flat[t] = points[t][0];
                flat[points.length + t] = points[t][1];
            }
            INDArray one = Nd4j.create(flat, new long[] {1, 2, points.length}, 'c');
            double[][] back = IncreasingSumTask.scaled(one, null).reshape(2, points.length).toDoubleMatrix();
            double[][] rows = new double[points.length][2];
            for (int t = 0; t < points.length; t++) {
                rows[t] = new double[] {back[0][t], back[1][t]};
            }
            scaled.add(rows);
        }
        for (int c = 0; c < 2; c++) {
            double sum = 0;
            double squares = 0;
            int count = 0;
            for (double[][] points : scaled) {
                for (double[] point : points) {
                    sum += point[c];
                    squares += point[c] * point[c];
                    count++;
                }
            }
            double mean = sum / count;
            assertEquals(mean, normalizer.getMean().getDouble(c), 1e-3, "mean of coordinate " + (c + 1));
            assertEquals(Math.sqrt(squares / count - mean * mean), normalizer.getStd().getDouble(c), 1e-2,
                    "deviation of coordinate " + (c + 1));
        }
        assertTrue(!normalizer.isFitLabel(), "labels stay 0/1");
    }

    @Test
    void predictTakesPointsAndSaysWhatTheNetworkAndTheRuleThink() throws IOException {
        Training training = task.train(options(1, 9), context(dir));
        String answer = task.predict(training.model(), options(1, 9), "1,3; 4,2; 5,7; -2,15");
        assertTrue(answer.startsWith("probability that x1+x2 rises at every step: "), answer);
        assertTrue(answer.contains("(sums 4 6 12 13: the rule says rising)"), answer);
        String flat = task.predict(training.model(), options(1, 9), "1,0;0,1;1,0;0,1");
        assertTrue(flat.contains("(sums 1 1 1 1: the rule says not rising)"), flat);
        String longer = task.predict(training.model(), options(1, 9), "1,1;2,2;3,3;4,4;5,5;6,6;7,7;8,8;9,9");
        assertTrue(longer.endsWith("(trained on 2 to 8 points, given 9)"), longer);
        for (String bad : new String[] {"", "1,2;3", "1,2,3", "1,2;;3,4", "a,b", "1,NaN"}) {
            assertThrows(BadInputException.class, () -> task.predict(training.model(), options(1, 9), bad), bad);
        }
    }

    @Test
    void theDemoShowsTheSeedsNineSequences() throws IOException {
        Training training = task.train(options(1, 9), context(dir));
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        task.demo(training.model(), options(1, 9),
                new TaskContext(dir, new PrintStream(printed, true, StandardCharsets.UTF_8), false));
        String text = printed.toString(StandardCharsets.UTF_8);
        assertEquals(9, text.lines().filter(l -> l.contains(" label ") && l.contains(" predicted ")).count(), text);
        assertTrue(text.contains("(-10,11) (2,0) (1.5,1) (11,-7) (-4,10)"), text);
        assertTrue(text.contains("sums 1 1 1 1"), text);
    }

    @Test
    void eachSequenceIsScaledToItsShapeAndTheRuleSurvivesIt() {
        // the seed's fifth training sequence and the same moved and stretched 40-fold, in one batch with padding
        double[] x1 = {-10, 2, 1.5, 11, -4};
        double[] x2 = {11, 0, 1, -7, 10};
        INDArray features = Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.DOUBLE, 2, 2, 6);
        INDArray mask = Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.DOUBLE, 2, 6);
        for (int t = 0; t < 5; t++) {
            features.putScalar(new long[] {0, 0, t}, x1[t]);
            features.putScalar(new long[] {0, 1, t}, x2[t]);
            features.putScalar(new long[] {1, 0, t}, 40 * x1[t] + 7);
            features.putScalar(new long[] {1, 1, t}, 40 * x2[t] - 3);
            mask.putScalar(0, t, 1);
            mask.putScalar(1, t, 1);
        }
        INDArray scaled = IncreasingSumTask.scaled(features, mask);
        for (int t = 0; t < 5; t++) {
            for (int c = 0; c < 2; c++) {
                assertEquals(scaled.getDouble(0, c, t), scaled.getDouble(1, c, t), 1e-12, "the same shape");
            }
        }
        assertEquals(1.0, scaled.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0)).amaxNumber().doubleValue(), 1e-12);
        assertEquals(0.0, scaled.getDouble(0, 0, 5), 0.0, "padding stays zero");
        double[][] rows = new double[5][];
        for (int t = 0; t < 5; t++) {
            rows[t] = new double[] {scaled.getDouble(0, 0, t), scaled.getDouble(0, 1, t)};
        }
        assertTrue(IncreasingSumData.increasing(rows), "still rising after scaling");
    }

    @Test
    void optionsOutOfRangeAreRejected() {
        assertThrows(BadInputException.class, () -> new IncreasingSumTask.Options(new EpochTraining(0, 1, 0.05, 64, null), 5));
        assertThrows(BadInputException.class, () -> new IncreasingSumTask.Options(new EpochTraining(10, 1, 0.05, 64, null), 0));
        assertThrows(BadInputException.class, () -> new IncreasingSumTask.Options(new EpochTraining(10, 1, 0, 64, null), 5));
        String message = assertThrows(BadInputException.class, () -> new IncreasingSumTask.Options(new EpochTraining(10, 1, 0.05, 0, null), 5))
                .getMessage();
        assertTrue(message.contains("--batch-size") && message.contains("1..100000"), message);
    }
}
