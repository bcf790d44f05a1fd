package org.rnnlab.tasks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.preprocessor.NormalizerStandardize;
import org.nd4j.linalg.factory.Nd4j;
import org.rnnlab.BadInputException;
import org.rnnlab.nets.ModelInfo;
import org.rnnlab.nets.ModelStore;
import org.rnnlab.inference.Stepping;
import org.rnnlab.inference.TimeStepper;
import org.rnnlab.nets.TrainedNetwork;
import org.rnnlab.nets.Training;

class CountUpTaskTest {
    @TempDir
    Path dir;

    private final CountUpTask task = new CountUpTask();

    private TaskContext context() {
        return new TaskContext(dir.resolve("data"), new PrintStream(OutputStream.nullOutputStream()), false);
    }

    private DataSet trainingData() throws IOException {
        return task.data(task.defaultOptions(), context()).train();
    }

    /**
     * The default network with weights set by hand to "add one": h = (x, 0, 0, 0), y = h_1 + 1/std in
     * standardized units, which is x + 1 in the data's units. {@code memory} adds a recurrent weight
     * (h_2 = h_1 of the step before) and an output weight on it, so outputs depend on the state.
     */
    private TrainedNetwork handSet(double memory) throws IOException {
        MultiLayerNetwork network = new MultiLayerNetwork(task.network(task.defaultOptions()));
        network.init();
        NormalizerStandardize scaling = CountUpTask.scaling(trainingData());
        var type = network.params().dataType();
        network.getLayer(0).setParam("W", Nd4j.create(new double[][] {{1, 0, 0, 0}}).castTo(type));
        INDArray recurrent = Nd4j.zeros(type, 4, 4);
        recurrent.putScalar(0, 1, memory);
        network.getLayer(0).setParam("RW", recurrent);
        network.getLayer(0).setParam("b", Nd4j.zeros(type, 1, 4));
        network.getLayer(1).setParam("W", Nd4j.create(new double[][] {{1}, {0}, {0}, {0}}).castTo(type));
        network.getLayer(1).setParam("b", Nd4j.create(new double[][] {{1 / scaling.getStd().getDouble(0)}}).castTo(type));
        if (memory != 0) {
            network.getLayer(1).setParam("W", Nd4j.create(new double[][] {{1}, {memory}, {0}, {0}}).castTo(type));
        }
        return new TrainedNetwork(network, scaling);
    }

    @Test
    void theDataIsNToNPlus4WithTheNextIntegerAsTargetAndTheSameBytesEveryTime() throws IOException {
        DataSet data = trainingData();
        assertEquals(100, data.numExamples());
        assertArrayEquals(new double[] {37, 38, 39, 40, 41}, data.getFeatures().get(point(37), point(0), all()).toDoubleVector(), 0);
        assertArrayEquals(new double[] {38, 39, 40, 41, 42}, data.getLabels().get(point(37), point(0), all()).toDoubleVector(), 0);
        byte[] features = Files.readAllBytes(dir.resolve("data/count-up/train.features.csv"));
        Files.delete(dir.resolve("data/count-up/train.features.csv"));
        trainingData();
        assertArrayEquals(features, Files.readAllBytes(dir.resolve("data/count-up/train.features.csv")));
    }

    @Test
    void oneSharedScaleForInputsAndTargets() throws IOException {
        NormalizerStandardize scaling = CountUpTask.scaling(trainingData());
        // Inputs n..n+4 for n in 0..99: mean 51.5. The targets use the same statistics, not their own.
        assertEquals(51.5, scaling.getMean().getDouble(0), 1e-4);
        assertEquals(scaling.getMean(), scaling.getLabelMean());
        assertEquals(scaling.getStd(), scaling.getLabelStd());
        assertTrue(scaling.isFitLabel());
    }

    @Test
    void generationFeedsEachPredictionBackInTheDataUnits() throws IOException {
        TrainedNetwork addOne = handSet(0);
        double[] generated = CountUpTask.generate(addOne, 100, 8);
        assertArrayEquals(new double[] {101, 102, 103, 104, 105, 106, 107, 108}, generated, 1e-3);
        assertArrayEquals(new double[] {-4, -3, -2}, CountUpTask.generate(addOne, -5, 3), 1e-3);
        assertEquals(0.0, CountUpTask.test(addOne).maxAbsError(), 1e-3);
        assertEquals(40, CountUpTask.test(addOne).withinHalf());
    }

    @Test
    void eachGenerationStartsFromAClearedState() throws IOException {
        TrainedNetwork withMemory = handSet(0.5);
        double[] first = CountUpTask.generate(withMemory, 100, 8);
        // Leave some state behind, as an earlier sequence would.
        withMemory.timeStep(Nd4j.valueArrayOf(new long[] {1, 1, 1}, 1000.0, withMemory.network().params().dataType()));
        assertArrayEquals(first, CountUpTask.generate(withMemory, 100, 8), 0);
        // The state matters to this network: the output after the first step is not just x + 1.
        assertTrue(Math.abs(first[1] - (first[0] + 1)) > 1, java.util.Arrays.toString(first));
    }

    @Test
    void generationOnTheStepNetworkEqualsDl4jsTimeSteps() throws IOException {
        for (double memory : new double[] {0, 0.5}) {
            TrainedNetwork model = handSet(memory);
            TimeStepper fast = model.stepper();
            TimeStepper dl4j = TimeStepper.of(model.network(), model.normalizer(), Stepping.DL4J);
            assertTrue(fast.usesStepNetwork());
            DataType type = model.network().params().dataType();
            for (double start : new double[] {100, -5, 37.5}) {
                double[] expected = CountUpTask.generate(dl4j, type, start, 8);
                double[] actual = CountUpTask.generate(model, start, 8);
                for (int t = 0; t < expected.length; t++) {
                    // the normalizer's scale (about 29) turns float rounding of ~1e-7 into ~1e-5 in the data's units
                    assertEquals(expected[t], actual[t], 1e-4 * Math.max(1, Math.abs(expected[t])), "memory " + memory
                            + ", from " + start + ", step " + t);
                }
            }
        }
    }

    @Test
    void aSavedModelGeneratesExactlyTheSameSequenceAfterLoading() throws IOException {
        CountUpTask.Options options = new CountUpTask.Options(new EpochTraining(20, 3, 0.01, 10, null), 4);
        Training training = task.train(options, context());
        Path file = dir.resolve("model.zip");
        ModelStore.save(file, training.model(), ModelInfo.of(task.name(), options));

        ModelStore.StoredModel loaded = ModelStore.load(file);
        assertEquals(options, loaded.info().options(CountUpTask.Options.class));
        for (int start : new int[] {100, 104, 37}) {
            assertArrayEquals(CountUpTask.generate(training.model(), start, 8),
                    CountUpTask.generate(loaded.model(), start, 8), 0.0, "from " + start);
        }
        NormalizerStandardize restored = (NormalizerStandardize) loaded.model().normalizer();
        assertEquals(restored.getMean(), restored.getLabelMean(), "the shared scale survives the zip");
        assertEquals(task.predict(training.model(), options, "105,12"), task.predict(loaded.model(), options, "105,12"));
    }

    @Test
    void predictGeneratesEightStepsOrAsManyAsAsked() throws IOException {
        TrainedNetwork addOne = handSet(0);
        CountUpTask.Options options = task.defaultOptions();
        String eight = task.predict(addOne, options, "105");
        assertEquals("generated from 105: 106.000 107.000 108.000 109.000 110.000 111.000 112.000 113.000", eight);
        assertEquals("generated from 7: 8.000 9.000 10.000", task.predict(addOne, options, "7,3"));
        for (String bad : new String[] {"", "x", "105,0", "105,2.5", "105,1001", "1,2,3"}) {
            assertThrows(BadInputException.class, () -> task.predict(addOne, options, bad), bad);
        }
    }

    @Test
    void optionsOutOfRangeAreRejected() {
        assertThrows(BadInputException.class, () -> new CountUpTask.Options(new EpochTraining(0, 1, 0.01, 10, null), 4));
        assertThrows(BadInputException.class, () -> new CountUpTask.Options(new EpochTraining(10, 1, 0.01, 10, null), 0));
        assertThrows(BadInputException.class, () -> new CountUpTask.Options(new EpochTraining(10, 1, Double.NaN, 10, null), 4));
        assertThrows(BadInputException.class, () -> new CountUpTask.Options(new EpochTraining(10, 1, 0.01, 0, null), 4));
        String message = assertThrows(BadInputException.class, () -> new CountUpTask.Options(new EpochTraining(10, 1, 0.01, 10, null), 2000))
                .getMessage();
        assertTrue(message.contains("--hidden") && message.contains("1..1024"), message);
    }
}
