package org.rnnlab.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.rnnlab.BadInputException;
import org.rnnlab.data.BinaryAdditionData;
import org.rnnlab.data.BinaryAdditionData.Pair;
import org.rnnlab.nets.TrainedNetwork;
import org.rnnlab.nets.Training;

class BinaryAdditionTaskTest {
    private static final BinaryAdditionTask TASK = new BinaryAdditionTask();

    @TempDir
    static Path shared;

    /** The network trained with the defaults, once for the tests that need one that adds. */
    private static TrainedNetwork trained;

    @TempDir
    Path dir;

    @BeforeAll
    static void trainWithTheDefaults() throws IOException {
        trained = TASK.train(TASK.defaultOptions(), quiet(shared)).model();
    }

    private static TaskContext quiet(Path root) {
        return new TaskContext(root, new PrintStream(OutputStream.nullOutputStream()), false);
    }

    /** A short run on few pairs, for tests about the machinery rather than the result. */
    private static BinaryAdditionTask.Options small(int epochs, boolean hiddenBias, boolean outputBias, int printEvery) {
        return new BinaryAdditionTask.Options(new EpochTraining(epochs, 3, 0.05, 32, null), 200, 16, hiddenBias, outputBias, printEvery);
    }

    @Test
    void theNetworkIsTheSeeds2To16To1() {
        MultiLayerNetwork network = new MultiLayerNetwork(TASK.network(TASK.defaultOptions()));
        network.init();
        // The seed's synapse_0 [2, 16], synapse_h [16, 16] and synapse_1 [16, 1], plus DL4J's biases 16 and 1.
        assertEquals(2 * 16 + 16 * 16 + 16, network.getLayer(0).numParams());
        assertEquals(16 + 1, network.getLayer(1).numParams());
        assertEquals(8, TASK.networkUnderCheck().steps());
    }

    @Test
    void theTrainedDefaultsAdd47And35To82() {
        String answer = TASK.predict(trained, TASK.defaultOptions(), "47,35");
        assertEquals("47 + 35: predicted bits 0 1 0 1 0 0 1 0 (most significant first) = 82", answer);
        assertTrue(TASK.predict(trained, TASK.defaultOptions(), " 127 , 127 ").endsWith("= 254"));
        assertTrue(TASK.predict(trained, TASK.defaultOptions(), "0,0").endsWith("= 0"));
    }

    @Test
    void predictTakesTwoWholeNumbersBelow128() {
        for (String input : List.of("128,1", "1,128", "-1,5", "1", "1,2,3", "x,2", "1.5,2", "", ",")) {
            BadInputException e = assertThrows(BadInputException.class,
                    () -> TASK.predict(trained, TASK.defaultOptions(), input), input);
            assertTrue(e.getMessage().contains("--input") && e.getMessage().contains("0..127"), e.getMessage());
        }
    }

    @Test
    void inMemoryInputsEqualWhatDataVecReadsFromTheFiles() throws IOException {
        // predict and demo encode pairs themselves; they must see exactly what training saw.
        List<Pair> pairs = List.of(new Pair(47, 35), new Pair(127, 127), new Pair(0, 0), new Pair(5, 100));
        BinaryAdditionData.write(dir, "some", pairs);
        DataSet stored = BinaryAdditionData.read(dir, "some");
        INDArray built = BinaryAdditionTask.features(pairs, stored.getFeatures().dataType());
        assertEquals(stored.getFeatures(), built);
    }

    @Test
    void exactSumsNeedEveryBitAndBitAccuracyCountsEachBit() {
        INDArray labels = Nd4j.create(new double[] {0, 1, 0, 0, 1, 0, 1, 0, 1, 1, 1, 1, 0, 0, 0, 0},
                new long[] {2, 1, 8}, 'c').castTo(DataType.FLOAT);
        // The first sequence right (within rounding), the second with two bits wrong.
        INDArray outputs = Nd4j.create(new double[] {0.1, 0.9, 0.2, 0.4, 0.6, 0, 0.7, 0.3, 0.9, 0.2, 1, 0.6, 0.51, 0, 0, 0},
                new long[] {2, 1, 8}, 'c').castTo(DataType.FLOAT);
        assertEquals(0.5, BinaryAdditionTask.exactSums(outputs, labels));
        assertEquals(14.0 / 16, BinaryAdditionTask.bitAccuracy(outputs, labels), 1e-12);
    }

    @Test
    void theSeedsFourLinesForOneAddition() {
        double[] outputs = BinaryAdditionData.bits(82);
        outputs[0] = 0.25; // bit 0 is 0: the error is 0.25, the sum still 82
        String lines = BinaryAdditionTask.seedPrintout(new Pair(47, 35), outputs);
        assertEquals("  error      0.2500\n  predicted  0 1 0 1 0 0 1 0\n  true       0 1 0 1 0 0 1 0\n  47 + 35 = 82\n",
                lines.replace(System.lineSeparator(), "\n"));
    }

    @Test
    void trainingPrintsTheFourLinesEveryNEpochs() throws IOException {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        TaskContext context = new TaskContext(dir, new PrintStream(printed, true, StandardCharsets.UTF_8), false);
        Training training = TASK.train(small(4, true, true, 2), context);
        String text = printed.toString(StandardCharsets.UTF_8);
        assertEquals(2, text.lines().filter(l -> l.startsWith("after epoch ")).count(), text);
        assertTrue(text.contains("after epoch 2 of 4:") && text.contains("after epoch 4 of 4:"), text);
        assertEquals(2, text.lines().filter(l -> l.matches("  \\d+ \\+ \\d+ = \\d+")).count(), text);
        assertEquals(2, text.lines().filter(l -> l.matches("  predicted  [01]( [01]){7}")).count(), text);
        assertEquals(List.of("train_xent", "exact_sums"), List.copyOf(training.history().keySet()));
        assertEquals(4, training.history().get("exact_sums").size());
    }

    @Test
    void withoutBiasesTheyStayExactlyZeroAsInSeed002() throws IOException {
        Training training = TASK.train(small(1, false, false, 0), quiet(dir));
        for (int layer = 0; layer < 2; layer++) {
            INDArray bias = training.model().network().getLayer(layer).getParam("b");
            assertEquals(0.0, bias.norm1Number().doubleValue(), "layer " + layer + " bias");
        }
        Training withBiases = TASK.train(small(1, true, true, 0), quiet(dir));
        for (int layer = 0; layer < 2; layer++) {
            assertTrue(withBiases.model().network().getLayer(layer).getParam("b").norm1Number().doubleValue() > 0);
        }
    }

    @Test
    void evaluationCoversAll16384PairsAndSaysWhichWereNeverTrainedOn() throws IOException {
        BinaryAdditionTask.Options options = TASK.defaultOptions();
        var metrics = TASK.evaluate(trained, options, quiet(shared));
        assertEquals(16384, metrics.get("pairs"));
        long seen = BinaryAdditionData.trainingPairs(BinaryAdditionTask.recipe(options)).stream().distinct().count();
        assertEquals(16384 - seen, metrics.get("unseen_pairs"));
        assertEquals(1.0, metrics.get("exact_sums"), metrics::format);
        assertEquals(1.0, metrics.get("bit_accuracy"), metrics::format);
        assertTrue(metrics.floorsMet());
    }

    @Test
    void optionsOutOfRangeAreRejected() {
        assertThrows(BadInputException.class, () -> new BinaryAdditionTask.Options(new EpochTraining(0, 1, 0.05, 32, null), 100, 16, true, true, 1));
        assertThrows(BadInputException.class, () -> new BinaryAdditionTask.Options(new EpochTraining(1, 1, 0.05, 32, null), 0, 16, true, true, 1));
        assertThrows(BadInputException.class, () -> new BinaryAdditionTask.Options(new EpochTraining(1, 1, 0.05, 32, null), 100, 0, true, true, 1));
        assertThrows(BadInputException.class,
                () -> new BinaryAdditionTask.Options(new EpochTraining(1, 1, Double.NaN, 32, null), 100, 16, true, true, 1));
        assertThrows(BadInputException.class, () -> new BinaryAdditionTask.Options(new EpochTraining(1, 1, 0.05, 0, null), 100, 16, true, true, 1));
        BadInputException e = assertThrows(BadInputException.class,
                () -> new BinaryAdditionTask.Options(new EpochTraining(1, 1, 0.05, 32, null), 100, 16, true, true, -1));
        assertTrue(e.getMessage().contains("--print-every") && e.getMessage().contains("0..100000"), e.getMessage());
    }
}
