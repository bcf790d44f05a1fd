package org.rnnlab.nets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.AdaGrad;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.rnnlab.data.CharChunks;
import org.rnnlab.layers.LayerImplementation;
import org.rnnlab.layers.PartThreads;

/**
 * The stream-split step against {@link CarriedStateTrainer}'s one-network step over all streams, on a
 * small char-rnn (FAST layers in float, AdaGrad, elementwise clipping, truncated BPTT with the state
 * carried). The fast layers only: DL4J's own SimpleRnn computes carried-state gradients from a zero
 * state (see FastLayersTest), which would make both trainers agree on the wrong gradients.
 *
 * <p>Float sums in another order differ in the last bits, so values are compared relative to the
 * largest magnitude of each array: max |a - b| / max |b|.
 */
class StreamSplitTrainerTest {
    private static final int SYMBOLS = 11;
    private static final int HIDDEN = 16;
    private static final int LENGTH = 6;
    private static final double TOLERANCE = 1e-5;

    @TempDir
    Path dir;

    private static MultiLayerNetwork network(double clip) {
        return network(clip, DataType.FLOAT);
    }

    private static MultiLayerNetwork network(double clip, DataType dataType) {
        MultiLayerConfiguration configuration = new NeuralNetConfiguration.Builder().seed(7).dataType(dataType)
                .updater(new AdaGrad(0.1, 1e-8)).weightInit(new NormalDistribution(0, 0.1))
                .gradientNormalization(GradientNormalization.ClipElementWiseAbsoluteValue)
                .gradientNormalizationThreshold(clip).list()
                .layer(LayerImplementation.FAST.simpleRnn().nOut(HIDDEN).activation(Activation.TANH).build())
                .layer(LayerImplementation.FAST.rnnOutput(LossFunction.MCXENT).nOut(SYMBOLS)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.recurrent(SYMBOLS)).backpropType(BackpropType.TruncatedBPTT)
                .tBPTTForwardLength(LENGTH).tBPTTBackwardLength(LENGTH).build();
        MultiLayerNetwork network = new MultiLayerNetwork(configuration);
        network.init();
        return network;
    }

    private static CharChunks chunks(int streams) {
        Random random = new Random(3);
        int[] text = new int[streams * (LENGTH * 30 + 1)];
        for (int i = 0; i < text.length; i++) {
            text[i] = random.nextInt(SYMBOLS);
        }
        return new CharChunks(text, SYMBOLS, streams, LENGTH);
    }

    /** max |a - b| / max |b|. */
    private static double relative(INDArray a, INDArray b) {
        double scale = b.amaxNumber().doubleValue();
        return a.reshape(b.shape()).sub(b).amaxNumber().doubleValue() / Math.max(scale, 1e-30);
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        double difference = relative(actual, expected);
        assertTrue(difference <= TOLERANCE, what + ": relative difference " + difference);
    }

    private static void assertClose(double expected, double actual, String what) {
        assertEquals(expected, actual, TOLERANCE * Math.abs(expected), what);
    }

    /** Both trainers on copies of one network, chunk after chunk, with resets where asked. */
    private static final class Pair implements AutoCloseable {
        final MultiLayerNetwork reference;
        final MultiLayerNetwork split;
        final CarriedStateTrainer one;
        final StreamSplitTrainer many;
        final CharChunks chunks;
        int next;

        Pair(int streams, int threads) {
            this(streams, threads, DataType.FLOAT, true);
        }

        /** @param java whether the split trainer may take the Java step (else its parts take DL4J's pass) */
        Pair(int streams, int threads, DataType dataType, boolean java) {
            reference = network(5, dataType);
            split = reference.clone();
            one = new CarriedStateTrainer(reference);
            many = java ? new StreamSplitTrainer(split, threads) : StreamSplitTrainer.withDl4jStep(split, threads);
            chunks = chunks(streams);
        }

        void steps(int count) {
            for (int i = 0; i < count; i++) {
                DataSet chunk = chunks.chunk(next++);
                double expected = one.step(chunk.getFeatures(), chunk.getLabels());
                double actual = many.step(chunk.getFeatures(), chunk.getLabels());
                assertClose(expected, actual, "score of step " + next);
            }
        }

        void resetState() {
            one.resetState();
            many.resetState();
        }

        void assertSameNetworks() {
            assertClose(reference.params(), split.params(), "parameters");
            assertClose(reference.getUpdater().getStateViewArray(), split.getUpdater().getStateViewArray(),
                    "AdaGrad's history");
            assertEquals(reference.getIterationCount(), split.getIterationCount(), "iteration count");
            assertClose(reference.score(), split.score(), "the network's score");
        }

        @Override
        public void close() {
            many.close();
        }
    }

    @Test
    void splitsStreamsIntoContiguousPartsTheFirstOnesLarger() {
        assertArrayEquals(new int[] {0, 4, 7}, PartThreads.split(7, 2));
        assertArrayEquals(new int[] {0, 3, 5, 7}, PartThreads.split(7, 3));
        assertArrayEquals(new int[] {0, 48, 96}, PartThreads.split(96, 2));
    }

    @ParameterizedTest
    @CsvSource({"7, 2", "7, 3", "8, 2", "3, 4"})
    void summedGradientsEqualTheOneNetworkGradients(int streams, int threads) {
        MultiLayerNetwork reference = network(5);
        MultiLayerNetwork split = reference.clone();
        CharChunks chunks = chunks(streams);
        try (StreamSplitTrainer trainer = new StreamSplitTrainer(split, threads)) {
            for (int k = 0; k < 3; k++) { // the second and third from a carried state
                DataSet chunk = chunks.chunk(k);
                reference.setInput(chunk.getFeatures());
                reference.setLabels(chunk.getLabels());
                reference.computeGradientAndScore();
                reference.updateRnnStateWithTBPTTState();
                double score = trainer.computeGradient(chunk.getFeatures(), chunk.getLabels());
                assertClose(reference.getFlattenedGradients(), trainer.summedGradient(), "gradient of chunk " + k);
                assertClose(reference.score(), score, "score of chunk " + k);
            }
            split.getFlattenedGradients().putScalar(0, 123.0);
            assertEquals(123.0, trainer.summedGradient().getDouble(0), "summed into the main network's own gradient");
        }
    }

    @ParameterizedTest
    @CsvSource({"7, 2, true", "7, 3, true", "12, 2, true", "12, 5, true", "7, 2, false", "7, 3, false", "12, 2, false",
            "12, 5, false"})
    void oneAndTwentyStepsEqualTheOneThreadTrainer(int streams, int threads, boolean java) {
        try (Pair pair = new Pair(streams, threads, DataType.FLOAT, java)) {
            pair.steps(1);
            assertEquals(java, pair.many.lastStepWasJava(), "the way the step took");
            pair.assertSameNetworks();
            pair.steps(19);
            pair.assertSameNetworks();
            assertEquals(20, pair.split.getIterationCount());
        }
    }

    /** Listeners send a step to DL4J's pass; the carried state goes with it, there and back. */
    @Test
    void theJavaAndDl4jWaysAlternateWithTheCarriedState() {
        try (Pair pair = new Pair(7, 2)) {
            pair.steps(3);
            assertTrue(pair.many.lastStepWasJava());
            pair.split.setListeners(new BaseTrainingListener() {
            });
            pair.steps(3);
            assertFalse(pair.many.lastStepWasJava());
            pair.split.setListeners();
            pair.steps(3);
            assertTrue(pair.many.lastStepWasJava());
            pair.assertSameNetworks();
            pair.resetState();
            pair.split.setListeners(new BaseTrainingListener() {
            });
            pair.steps(2);
            pair.split.setListeners();
            pair.steps(2);
            pair.assertSameNetworks();
        }
    }

    @ParameterizedTest
    @CsvSource({"7, 2", "7, 3", "12, 2", "3, 4"})
    void inDoubleTwentyStepsEqualTheOneThreadTrainer(int streams, int threads) {
        try (Pair pair = new Pair(streams, threads, DataType.DOUBLE, true)) {
            pair.steps(20);
            pair.assertSameNetworks();
        }
    }

    @Test
    void oneThreadIsTheOneThreadTrainerExactly() {
        MultiLayerNetwork reference = network(5);
        MultiLayerNetwork split = reference.clone();
        CarriedStateTrainer one = new CarriedStateTrainer(reference);
        CharChunks chunks = chunks(7);
        int threadsBefore = partThreads().size();
        try (StreamSplitTrainer many = new StreamSplitTrainer(split, 1)) {
            for (int k = 0; k < 5; k++) {
                DataSet chunk = chunks.chunk(k);
                assertEquals(one.step(chunk.getFeatures(), chunk.getLabels()),
                        many.step(chunk.getFeatures(), chunk.getLabels()));
            }
            assertEquals(reference.params(), split.params());
            assertEquals(reference.getUpdater().getStateViewArray(), split.getUpdater().getStateViewArray());
            assertEquals(threadsBefore, partThreads().size(), "no threads besides the caller's");
        }
    }

    @Test
    void aStepWithClippingActiveEqualsTheOneThreadStep() {
        double clip = 0.05;
        MultiLayerNetwork reference = network(clip);
        MultiLayerNetwork split = reference.clone();
        CharChunks chunks = chunks(9);
        DataSet chunk = chunks.chunk(0);
        // the gradient the updater clips: divided by the minibatch first
        MultiLayerNetwork probe = reference.clone();
        probe.setInput(chunk.getFeatures());
        probe.setLabels(chunk.getLabels());
        probe.computeGradientAndScore();
        int over = 0;
        for (float g : probe.getFlattenedGradients().div(9).data().asFloat()) {
            over += Math.abs(g) > clip ? 1 : 0;
        }
        assertTrue(over > 10, "the step must clip some of the gradient, clipped " + over);
        assertTrue(over < probe.numParams() / 2, "and leave some of it, clipped " + over);

        CarriedStateTrainer one = new CarriedStateTrainer(reference);
        try (StreamSplitTrainer many = new StreamSplitTrainer(split, 2)) {
            assertClose(one.step(chunk.getFeatures(), chunk.getLabels()),
                    many.step(chunk.getFeatures(), chunk.getLabels()), "score");
        }
        assertClose(reference.params(), split.params(), "parameters after a clipped step");
        assertClose(reference.getUpdater().getStateViewArray(), split.getUpdater().getStateViewArray(), "AdaGrad's history");
    }

    @Test
    void resetStateStartsEveryPartFromZeroAgain() {
        try (Pair pair = new Pair(7, 3)) {
            pair.steps(4);
            pair.resetState();
            pair.steps(3);
            pair.assertSameNetworks();
        }
        // and the state matters: without the reset the same chunks score differently
        MultiLayerNetwork a = network(5);
        MultiLayerNetwork b = a.clone();
        CharChunks chunks = chunks(7);
        try (StreamSplitTrainer carried = new StreamSplitTrainer(a, 2); StreamSplitTrainer reset = new StreamSplitTrainer(b, 2)) {
            DataSet first = chunks.chunk(0);
            carried.step(first.getFeatures(), first.getLabels());
            reset.step(first.getFeatures(), first.getLabels());
            reset.resetState();
            DataSet second = chunks.chunk(1);
            assertNotEquals(carried.step(second.getFeatures(), second.getLabels()),
                    reset.step(second.getFeatures(), second.getLabels()));
        }
    }

    @Test
    void chunksInAnyLayoutGiveTheSameStep() {
        MultiLayerNetwork timeMajor = network(5);
        MultiLayerNetwork other = timeMajor.clone();
        CharChunks chunks = chunks(7);
        try (StreamSplitTrainer a = new StreamSplitTrainer(timeMajor, 2); StreamSplitTrainer b = new StreamSplitTrainer(other, 2)) {
            for (int k = 0; k < 3; k++) {
                DataSet chunk = chunks.chunk(k);
                // [streams, n, steps] in c order, and in double: the parts copy them through ND4J
                assertEquals(a.step(chunk.getFeatures(), chunk.getLabels()), b.step(
                        chunk.getFeatures().castTo(DataType.DOUBLE).dup('c'), chunk.getLabels().dup('c')), 1e-6);
            }
        }
        assertClose(timeMajor.params(), other.params(), "parameters");
    }

    @Test
    void aChangedStreamCountNeedsAReset() {
        MultiLayerNetwork network = network(5);
        try (StreamSplitTrainer trainer = new StreamSplitTrainer(network, 2)) {
            DataSet seven = chunks(7).chunk(0);
            DataSet five = chunks(5).chunk(0);
            trainer.step(seven.getFeatures(), seven.getLabels());
            assertThrows(IllegalStateException.class, () -> trainer.step(five.getFeatures(), five.getLabels()));
            trainer.resetState();
            trainer.step(five.getFeatures(), five.getLabels());
        }
    }

    @Test
    void partsShareTheMainParameterArray() {
        MultiLayerNetwork network = network(5);
        try (StreamSplitTrainer trainer = StreamSplitTrainer.withDl4jStep(network, 3)) {
            DataSet chunk = chunks(7).chunk(0);
            trainer.step(chunk.getFeatures(), chunk.getLabels());
            for (int k = 0; k < 3; k++) {
                MultiLayerNetwork part = trainer.part(k);
                assertSame(network.params(), part.params());
                network.params().putScalar(k, 0.25 + k);
                assertEquals(0.25 + k, part.getLayer(0).getParam("W").getDouble(k), 1e-7,
                        "a part's layer reads the main network's parameters");
                assertNotEquals(network.getFlattenedGradients(), part.getFlattenedGradients(), "its own gradient");
            }
        }
    }

    /** Throws from part 1's forward pass, on the thread that runs it. */
    private static final class Failing extends BaseTrainingListener {
        final AtomicReference<String> thread = new AtomicReference<>();

        @Override
        public void onForwardPass(Model model, List<INDArray> activations) {
            thread.set(Thread.currentThread().getName());
            throw new IllegalArgumentException("part failed on purpose");
        }
    }

    @Test
    void anExceptionOnAWorkerThreadSurfacesOnTheCallerAndChangesNothing() {
        MultiLayerNetwork network = network(5);
        CharChunks chunks = chunks(7);
        try (StreamSplitTrainer trainer = StreamSplitTrainer.withDl4jStep(network, 2)) {
            DataSet chunk = chunks.chunk(0);
            trainer.step(chunk.getFeatures(), chunk.getLabels());
            Failing failing = new Failing();
            trainer.part(1).setListeners(failing);
            INDArray before = network.params().dup();
            int iterations = network.getIterationCount();
            DataSet next = chunks.chunk(1);
            IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
                    () -> trainer.step(next.getFeatures(), next.getLabels()));
            assertEquals("part failed on purpose", thrown.getMessage());
            assertEquals("rnnlab-stream-part-1", failing.thread.get());
            assertEquals(before, network.params(), "no update after a failed part");
            assertEquals(iterations, network.getIterationCount());
        }
    }

    private static List<Thread> partThreads() {
        List<Thread> found = new ArrayList<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().startsWith("rnnlab-stream-part-") && thread.isAlive()) {
                found.add(thread);
            }
        }
        return found;
    }

    @Test
    void closeEndsTheDaemonThreadsAndRefusesFurtherSteps() {
        int before = partThreads().size();
        MultiLayerNetwork network = network(5);
        StreamSplitTrainer trainer = new StreamSplitTrainer(network, 3);
        DataSet chunk = chunks(7).chunk(0);
        trainer.step(chunk.getFeatures(), chunk.getLabels());
        List<Thread> running = partThreads();
        assertEquals(before + 2, running.size(), "two threads besides the caller's");
        assertTrue(running.stream().allMatch(Thread::isDaemon));
        trainer.close();
        trainer.close(); // a second close does nothing
        assertEquals(before, partThreads().size());
        assertThrows(IllegalStateException.class, () -> trainer.step(chunk.getFeatures(), chunk.getLabels()));
    }

    record TestOptions(int streams, int threads) {
    }

    @Test
    void aModelTrainedOnTwoThreadsSavesLoadsAndResumes() throws IOException {
        MultiLayerNetwork network = network(5);
        CharChunks chunks = chunks(8);
        try (StreamSplitTrainer trainer = new StreamSplitTrainer(network, 2)) {
            for (int k = 0; k < 5; k++) {
                DataSet chunk = chunks.chunk(k);
                trainer.step(chunk.getFeatures(), chunk.getLabels());
            }
        }
        Path file = dir.resolve("model.zip");
        ModelStore.save(file, TrainedNetwork.withoutNormalizer(network), ModelInfo.of("char-rnn", new TestOptions(8, 2)));
        MultiLayerNetwork loaded = ModelStore.load(file).model().network();
        assertEquals(network.params(), loaded.params());
        assertEquals(network.getUpdater().getStateViewArray(), loaded.getUpdater().getStateViewArray());
        assertEquals(5, loaded.getIterationCount());

        // resuming (from a zero state: the zip keeps no carried state, and the network's is cleared)
        // continues as the original would
        network.rnnClearPreviousState();
        try (StreamSplitTrainer original = new StreamSplitTrainer(network, 2);
                StreamSplitTrainer resumed = new StreamSplitTrainer(loaded, 2)) {
            for (int k = 5; k < 9; k++) {
                DataSet chunk = chunks.chunk(k);
                assertClose(original.step(chunk.getFeatures(), chunk.getLabels()),
                        resumed.step(chunk.getFeatures(), chunk.getLabels()), "score after resuming");
            }
        }
        assertClose(network.params(), loaded.params(), "parameters after resuming");
        assertClose(network.getUpdater().getStateViewArray(), loaded.getUpdater().getStateViewArray(), "AdaGrad's history");
        assertEquals(9, loaded.getIterationCount());
    }
}
