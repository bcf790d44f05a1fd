package org.rnnlab.nets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.listeners.ScoreIterationListener;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.AdaGrad;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.rnnlab.data.CharChunks;
import org.rnnlab.layers.JavaTrainingStep;
import org.rnnlab.layers.LayerImplementation;

/**
 * The Java training step against DL4J's Solver step on twin networks: same parameters, updater state,
 * stored states, chunks; after one step and after twenty, both must agree to float rounding.
 *
 * <p>The learning rates are small on purpose. At char-rnn's own rate (0.1) with AdaGrad's history
 * starting near zero, the first steps move every weight by about the learning rate whatever the
 * gradient's size, and rounding differences grow by about half each step: DL4J's own float path and
 * its double path part ways as fast as this step and DL4J's float path do. Agreement to 1e-5 after
 * twenty steps can only be asked where training is not that sensitive to rounding.
 */
class JavaTrainingStepTest {
    private static final int SYMBOLS = 12;
    private static final int UNITS = 16;
    private static final int STEPS = 10;
    private static final double TOLERANCE = 1e-5;
    private static final String STATE = org.deeplearning4j.nn.layers.recurrent.SimpleRnn.STATE_KEY_PREV_ACTIVATION;

    private static MultiLayerConfiguration configuration(LayerImplementation implementation, int layers, IUpdater updater,
            double clip) {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder().seed(7).updater(updater)
                .weightInit(new NormalDistribution(0, 0.1))
                .gradientNormalization(GradientNormalization.ClipElementWiseAbsoluteValue)
                .gradientNormalizationThreshold(clip).list();
        for (int l = 0; l < layers; l++) {
            list.layer(implementation.simpleRnn().nOut(UNITS).activation(Activation.TANH).build());
        }
        list.layer(implementation.rnnOutput(LossFunction.MCXENT).nOut(SYMBOLS).activation(Activation.SOFTMAX).build());
        return list.setInputType(InputType.recurrent(SYMBOLS)).backpropType(BackpropType.TruncatedBPTT)
                .tBPTTForwardLength(STEPS).tBPTTBackwardLength(STEPS).build();
    }

    private static MultiLayerNetwork network(MultiLayerConfiguration configuration) {
        MultiLayerNetwork network = new MultiLayerNetwork(configuration.clone());
        network.init();
        network.getUpdater(); // the updater state exists from the start, as the trainer creates it
        return network;
    }

    /** A copy of {@code network} with the same parameters and updater state. */
    private static MultiLayerNetwork twin(MultiLayerNetwork network) {
        MultiLayerNetwork copy = network(network.getLayerWiseConfigurations());
        copy.setParams(network.params().dup());
        copy.getUpdater().getStateViewArray().assign(network.getUpdater().getStateViewArray());
        return copy;
    }

    private static CharChunks chunks(int minibatch, long seed) {
        Random random = new Random(seed);
        int[] text = new int[4000];
        for (int i = 0; i < text.length; i++) {
            text[i] = random.nextInt(SYMBOLS);
        }
        return new CharChunks(text, SYMBOLS, minibatch, STEPS);
    }

    /** ||actual - expected|| <= tolerance ||expected||. */
    private static void assertClose(INDArray expected, INDArray actual, String what) {
        INDArray e = expected.castTo(DataType.DOUBLE);
        double difference = e.sub(actual.castTo(DataType.DOUBLE)).norm2Number().doubleValue();
        double scale = e.norm2Number().doubleValue();
        assertTrue(difference <= TOLERANCE * scale, what + ": relative difference " + difference / scale);
    }

    /** Parameters (each one separately), updater state, iteration count and stored states of the two networks agree. */
    private static void assertSameTraining(MultiLayerNetwork expected, MultiLayerNetwork actual, String when) {
        for (Map.Entry<String, INDArray> p : expected.paramTable().entrySet()) {
            assertClose(p.getValue(), actual.paramTable().get(p.getKey()), when + ", parameter " + p.getKey());
        }
        assertClose(expected.getUpdater().getStateViewArray(), actual.getUpdater().getStateViewArray(),
                when + ", updater state");
        assertEquals(expected.getIterationCount(), actual.getIterationCount(), when + ", iteration count");
        for (int l = 0; l < expected.getnLayers() - 1; l++) {
            INDArray e = expected.rnnGetPreviousState(l).get(STATE);
            INDArray a = actual.rnnGetPreviousState(l).get(STATE);
            assertEquals(e == null, a == null, when + ", layer " + l + " stored state");
            if (e != null) {
                assertClose(e, a, when + ", layer " + l + " stored state");
            }
        }
    }

    /** Steps both trainers through the same chunks, resetting the state every {@code resetEvery} steps, and compares. */
    private static void trainSideBySide(MultiLayerNetwork dl4jNet, MultiLayerNetwork javaNet, CharChunks chunks, int steps,
            int resetEvery) {
        CarriedStateTrainer java = new CarriedStateTrainer(javaNet);
        trainSideBySide(dl4jNet, javaNet, chunks, steps, resetEvery, (features, labels) -> {
            double score = java.step(features, labels);
            assertTrue(java.lastStepWasJava(), "the Java step was not taken");
            return score;
        });
    }

    private interface Step {
        double step(INDArray features, INDArray labels);
    }

    private static void trainSideBySide(MultiLayerNetwork dl4jNet, MultiLayerNetwork javaNet, CharChunks chunks, int steps,
            int resetEvery, Step javaStep) {
        trainSideBySide(dl4jNet, javaNet, chunks, steps, resetEvery, javaStep, true);
    }

    /**
     * @param sameScores whether the scores must agree too: not with dropout on the output layer's input,
     *                   whose loss DL4J reports without that dropout and the Java step with it
     */
    private static void trainSideBySide(MultiLayerNetwork dl4jNet, MultiLayerNetwork javaNet, CharChunks chunks, int steps,
            int resetEvery, Step javaStep, boolean sameScores) {
        CarriedStateTrainer dl4j = CarriedStateTrainer.withDl4jStep(dl4jNet);
        for (int i = 0; i < steps; i++) {
            if (i % resetEvery == 0) {
                dl4j.resetState();
                javaNet.rnnClearPreviousState();
            }
            DataSet chunk = chunks.chunk(i % chunks.chunksPerPass());
            double expected = dl4j.step(chunk.getFeatures(), chunk.getLabels());
            double actual = javaStep.step(chunk.getFeatures(), chunk.getLabels());
            assertFalse(dl4j.lastStepWasJava());
            if (sameScores) {
                assertEquals(expected, actual, TOLERANCE * Math.abs(expected), "score of step " + (i + 1));
                assertEquals(expected, javaNet.score(), TOLERANCE * Math.abs(expected),
                        "the network's score after step " + (i + 1));
            }
            if (i == 0 || i == steps - 1) {
                assertSameTraining(dl4jNet, javaNet, "after step " + (i + 1));
            }
        }
    }

    @ParameterizedTest(name = "{0}, {1} layer(s), minibatch {2}, {3} thread(s)")
    @CsvSource({"adam, 1, 1, 1", "adam, 2, 4, 1", "adam, 2, 8, 2", "rmsprop, 1, 3, 1", "rmsprop, 2, 8, 2"})
    void adamAndRmsPropAreComputedLikeDl4js(String rule, int layers, int minibatch, int threads) {
        IUpdater updater = rule.equals("adam") ? new Adam(0.002) : new RmsProp(0.002, 0.95, 1e-8);
        MultiLayerNetwork dl4j = network(configuration(LayerImplementation.FAST, layers, updater, 5));
        MultiLayerNetwork javaNet = twin(dl4j);
        try (JavaTrainingStep java = JavaTrainingStep.of(javaNet, threads)) {
            assertNotNull(java, JavaTrainingStep.unsupported(javaNet));
            trainSideBySide(dl4j, javaNet, chunks(minibatch, 3), 20, 7, java::step);
        }
    }

    /** One weight decay per layer, or two: DL4J's global builder lists {@code weightDecay(c)} twice, and DL4J applies both. */
    @ParameterizedTest(name = "applyLR {0}, {1} thread(s), {2} decay(s)")
    @CsvSource({"true, 1, 1", "false, 2, 1", "true, 2, 2"})
    void weightDecayIsAppliedLikeDl4jsUpdater(boolean applyLR, int threads, int decays) {
        MultiLayerConfiguration conf = configuration(LayerImplementation.FAST, 2, new Adam(0.003), 5);
        for (int l = 0; l < conf.getConfs().size(); l++) {
            org.deeplearning4j.nn.conf.layers.BaseLayer layer = (org.deeplearning4j.nn.conf.layers.BaseLayer)
                    conf.getConf(l).getLayer();
            java.util.List<org.nd4j.linalg.learning.regularization.Regularization> list = new java.util.ArrayList<>();
            for (int d = 0; d < decays; d++) {
                list.add(new org.nd4j.linalg.learning.regularization.WeightDecay(0.05 / (d + 1), applyLR));
            }
            layer.setRegularization(list);
        }
        MultiLayerNetwork dl4j = network(conf);
        MultiLayerNetwork javaNet = twin(dl4j);
        try (JavaTrainingStep java = JavaTrainingStep.of(javaNet, threads)) {
            assertNotNull(java, JavaTrainingStep.unsupported(javaNet));
            trainSideBySide(dl4j, javaNet, chunks(4, 12), 20, Integer.MAX_VALUE, java::step);
        }
        // The share of the score that is the decay, as each trainer reports it, is DL4J's term before the update
        MultiLayerNetwork viaDl4j = twin(dl4j);
        MultiLayerNetwork viaJava = twin(dl4j);
        double before = viaDl4j.calcRegularizationScore(true);
        assertTrue(before > 0);
        CarriedStateTrainer dl4jTrainer = CarriedStateTrainer.withDl4jStep(viaDl4j);
        CarriedStateTrainer javaTrainer = new CarriedStateTrainer(viaJava);
        DataSet chunk = chunks(4, 12).chunk(0);
        dl4jTrainer.step(chunk.getFeatures(), chunk.getLabels());
        javaTrainer.step(chunk.getFeatures(), chunk.getLabels());
        assertTrue(javaTrainer.lastStepWasJava());
        assertEquals(before, javaTrainer.lastRegularizationScore(), 1e-5 * before);
        assertEquals(viaDl4j.calcRegularizationScore(true), dl4jTrainer.lastRegularizationScore(), 1e-12,
                "DL4J's way: recomputed after the update");
    }

    /** Dropout keeping unit i of layer input l at iteration k or not, the same for every stream and step: a mask both sides can build. */
    private static float factor(int iteration, int input, int unit, double retain) {
        long h = (iteration * 31L + input) * 1_000_003L + unit * 7919L;
        h ^= h >>> 17;
        h *= 0xED5AD4BBL;
        h ^= h >>> 11;
        return (h & 1023) / 1024.0 < retain ? (float) (1 / retain) : 0f;
    }

    /** DL4J's side of {@link #factor}: an IDropout multiplying dimension 1 (the units) by the factors. */
    private static final class UnitMaskDropout implements org.deeplearning4j.nn.conf.dropout.IDropout {
        private final int input;
        private final double retain;
        private transient INDArray factors;

        UnitMaskDropout(int input, double retain) {
            this.input = input;
            this.retain = retain;
        }

        @Override
        public INDArray applyDropout(INDArray in, INDArray result, int iteration, int epoch,
                org.deeplearning4j.nn.workspace.LayerWorkspaceMgr workspaces) {
            float[] f = new float[(int) in.size(1)];
            for (int i = 0; i < f.length; i++) {
                f[i] = factor(iteration, input, i, retain);
            }
            try (org.nd4j.linalg.api.memory.MemoryWorkspace ignored = org.nd4j.linalg.factory.Nd4j.getWorkspaceManager()
                    .scopeOutOfWorkspaces()) {
                factors = org.nd4j.linalg.factory.Nd4j.createFromArray(f).castTo(in.dataType());
            }

            org.nd4j.linalg.factory.Nd4j.getExecutioner().exec(
                    new org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp(in, factors, result, 1));
            return result;
        }

        @Override
        public INDArray backprop(INDArray gradAtOutput, INDArray gradAtInput, int iteration, int epoch) {
            org.nd4j.linalg.factory.Nd4j.getExecutioner().exec(
                    new org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp(gradAtOutput, factors, gradAtInput, 1));
            return gradAtInput;
        }

        @Override
        public void clear() {
            factors = null;
        }

        @Override
        public UnitMaskDropout clone() {
            return new UnitMaskDropout(input, retain);
        }
    }

    /**
     * Dropout on every layer's input above the text (or only between the recurrent layers), with the
     * same masks on both sides: the same updates. The scores agree only without dropout on the
     * output layer's input: DL4J reports the loss without it, the Java step with it (what it minimises).
     */
    @ParameterizedTest(name = "{0} layer(s), {1} thread(s), output dropout {2}")
    @CsvSource({"1, 1, true", "2, 1, true", "2, 2, true", "3, 2, true", "2, 1, false", "3, 2, false"})
    void dropoutIsComputedLikeDl4jsWithTheSameMasks(int layers, int threads, boolean outputDropout) {
        double retain = 0.6;
        MultiLayerConfiguration withUnitMasks = configuration(LayerImplementation.FAST, layers, new Adam(0.003), 5);
        MultiLayerConfiguration withDropout = withUnitMasks.clone();
        for (int l = 1; l <= (outputDropout ? layers : layers - 1); l++) {
            ((org.deeplearning4j.nn.conf.layers.BaseLayer) withUnitMasks.getConf(l).getLayer())
                    .setIDropout(new UnitMaskDropout(l, retain));
            ((org.deeplearning4j.nn.conf.layers.BaseLayer) withDropout.getConf(l).getLayer())
                    .setIDropout(new org.deeplearning4j.nn.conf.dropout.Dropout(retain));
        }
        MultiLayerNetwork dl4j = network(withUnitMasks);
        MultiLayerNetwork javaNet = network(withDropout);
        javaNet.setParams(dl4j.params().dup());
        org.rnnlab.layers.DropoutMasks same = (keep, iteration, input, firstStream, streams, steps, units, p) -> {
            for (int i = 0; i < keep.length; i++) {
                keep[i] = factor(iteration, input, i % units, p);
            }
        };
        try (JavaTrainingStep java = JavaTrainingStep.of(javaNet, threads, same)) {
            assertNotNull(java, JavaTrainingStep.unsupported(javaNet));
            trainSideBySide(dl4j, javaNet, chunks(6, 13), 20, 9, java::step, !outputDropout);
        }
    }

    @Test
    void bernoulliMasksKeepTheShareAskedForAndRepeatForTheSameStep() {
        org.rnnlab.layers.DropoutMasks masks = org.rnnlab.layers.DropoutMasks.bernoulli(42);
        float[] a = new float[40_000];
        float[] b = new float[40_000];
        float[] c = new float[40_000];
        masks.fill(a, 7, 1, 0, 16, 25, 100, 0.8f);
        masks.fill(b, 7, 1, 0, 16, 25, 100, 0.8f);
        masks.fill(c, 8, 1, 0, 16, 25, 100, 0.8f);
        int kept = 0;
        for (float v : a) {
            assertTrue(v == 0f || v == 1f / 0.8f, "factor " + v);
            kept += v == 0f ? 0 : 1;
        }
        assertEquals(0.8, kept / (double) a.length, 0.01);
        assertTrue(java.util.Arrays.equals(a, b), "the same step, the same mask");
        assertFalse(java.util.Arrays.equals(a, c), "the next step, another mask");
        MultiLayerConfiguration onFirstLayer = configuration(LayerImplementation.FAST, 1, new Adam(0.003), 5);
        ((org.deeplearning4j.nn.conf.layers.BaseLayer) onFirstLayer.getConf(0).getLayer())
                .setIDropout(new org.deeplearning4j.nn.conf.dropout.Dropout(0.5));
        assertNotNull(JavaTrainingStep.unsupported(network(onFirstLayer)), "dropout on the text itself is DL4J's to do");
    }

    @Test
    void theGlobalBuildersWeightDecayIsListedTwiceAndStillTakesTheJavaStep() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(7).updater(new Adam(0.003)).weightDecay(0.01)
                .list()
                .layer(LayerImplementation.FAST.simpleRnn().nOut(UNITS).activation(Activation.TANH).build())
                .layer(LayerImplementation.FAST.rnnOutput(LossFunction.MCXENT).nOut(SYMBOLS).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.recurrent(SYMBOLS)).backpropType(BackpropType.TruncatedBPTT)
                .tBPTTForwardLength(STEPS).tBPTTBackwardLength(STEPS).build();
        // DL4J 1.0.0-M2.1 lists the builder's decay twice per layer (and so applies it twice)
        assertEquals(2, ((org.deeplearning4j.nn.conf.layers.BaseLayer) conf.getConf(0).getLayer()).getRegularization().size());
        MultiLayerNetwork dl4j = network(conf);
        MultiLayerNetwork javaNet = twin(dl4j);
        assertNull(JavaTrainingStep.unsupported(javaNet));
        trainSideBySide(dl4j, javaNet, chunks(3, 14), 10, Integer.MAX_VALUE);
    }

    @Test
    void aChangedLearningRateIsFollowed() {
        MultiLayerNetwork dl4j = network(configuration(LayerImplementation.FAST, 1, new Adam(0.002), 5));
        MultiLayerNetwork javaNet = twin(dl4j);
        CharChunks chunks = chunks(4, 9);
        trainSideBySide(dl4j, javaNet, chunks, 5, Integer.MAX_VALUE);
        LearningRates.set(dl4j, 0.0005);
        LearningRates.set(javaNet, 0.0005);
        assertEquals(0.0005, javaNet.getLearningRate(0), 1e-12);
        trainSideBySide(dl4j, javaNet, chunks, 5, Integer.MAX_VALUE);
    }

    @ParameterizedTest(name = "{0} layer(s), minibatch {1}")
    @CsvSource({"1, 1", "2, 1", "1, 3", "2, 4", "1, 96"})
    void carriedStateTrainingEqualsDl4jsStepOverTheFastLayers(int layers, int minibatch) {
        MultiLayerNetwork dl4j = network(configuration(LayerImplementation.FAST, layers, new AdaGrad(0.01, 1e-8), 5));
        trainSideBySide(dl4j, twin(dl4j), chunks(minibatch, 1), 20, Integer.MAX_VALUE);
    }

    /**
     * DL4J's own SimpleRnn computes the gradient of a carried-state chunk from a zero state (see
     * FastLayersTest), so against it every chunk starts from a zero state: resetState, every step.
     */
    @ParameterizedTest(name = "{0} layer(s), minibatch {1}")
    @CsvSource({"1, 1", "2, 2"})
    void trainingFromZeroStatesEqualsDl4jsStepOverDl4jsLayers(int layers, int minibatch) {
        MultiLayerNetwork dl4j = network(configuration(LayerImplementation.DL4J, layers, new AdaGrad(0.01, 1e-8), 5));
        trainSideBySide(dl4j, twin(dl4j), chunks(minibatch, 2), 20, 1);
    }

    /** Above a dozen rows the recurrences take one matrix product per step instead of one per row; also above the trainer's limit. */
    @ParameterizedTest(name = "minibatch {0}")
    @CsvSource({"16", "100"})
    void largerMinibatchesAreComputedAlikeToo(int minibatch) {
        MultiLayerNetwork dl4j = network(configuration(LayerImplementation.FAST, 2, new AdaGrad(0.01, 1e-8), 5));
        MultiLayerNetwork java = twin(dl4j);
        JavaTrainingStep step = JavaTrainingStep.of(java);
        trainSideBySide(dl4j, java, chunks(minibatch, 9), 20, Integer.MAX_VALUE, step::step);
    }

    /**
     * The step on several threads against DL4J's step (after one step and after twenty) and against
     * the one-thread Java step, step by step; clipping active in the first case, the state reset
     * every few steps in the last.
     */
    @ParameterizedTest(name = "{0} streams, {1} threads, {2} layer(s), clip {3}, reset every {4}")
    @CsvSource({"96, 2, 1, 5, 1000", "7, 2, 1, 0.002, 1000", "7, 3, 2, 5, 1000", "96, 2, 2, 5, 1000", "7, 3, 1, 5, 6"})
    void theStepOnSeveralThreadsEqualsDl4jsStepAndTheOneThreadStep(int minibatch, int threads, int layers, double clip,
            int resetEvery) {
        MultiLayerNetwork dl4j = network(configuration(LayerImplementation.FAST, layers, new AdaGrad(0.01, 1e-8), clip));
        MultiLayerNetwork one = twin(dl4j);
        MultiLayerNetwork many = twin(dl4j);
        JavaTrainingStep oneStep = JavaTrainingStep.of(one);
        int[] done = {0};
        try (JavaTrainingStep manyStep = JavaTrainingStep.of(many, threads)) {
            assertEquals(threads, manyStep.threads());
            trainSideBySide(dl4j, many, chunks(minibatch, 10), 20, resetEvery, (features, labels) -> {
                if (done[0] % resetEvery == 0) {
                    one.rnnClearPreviousState();
                }
                double expected = oneStep.step(features, labels);
                double actual = manyStep.step(features, labels);
                assertEquals(expected, actual, TOLERANCE * Math.abs(expected), "score against the one-thread step");
                if (++done[0] == 1) {
                    assertSameTraining(one, many, "after one step, against the one-thread step");
                }
                return actual;
            });
        }
        assertSameTraining(one, many, "after twenty steps, against the one-thread step");
    }

    /**
     * Inputs that are not one-hot in some streams (here the last part's, on two threads): the first
     * layer's input products go through OpenBLAS there, and by look-up in the one-hot streams.
     */
    @ParameterizedTest(name = "{0} thread(s)")
    @CsvSource({"1", "2", "3"})
    void inputsThatAreNotOneHotAreComputedAlikeToo(int threads) {
        MultiLayerNetwork dl4jNet = network(configuration(LayerImplementation.FAST, 2, new AdaGrad(0.01, 1e-8), 5));
        MultiLayerNetwork javaNet = twin(dl4jNet);
        CarriedStateTrainer dl4j = CarriedStateTrainer.withDl4jStep(dl4jNet);
        CharChunks chunks = chunks(7, 13);
        try (JavaTrainingStep java = JavaTrainingStep.of(javaNet, threads)) {
            for (int i = 0; i < 20; i++) {
                DataSet chunk = chunks.chunk(i);
                INDArray features = chunk.getFeatures().dup('c');
                features.get(NDArrayIndex.interval(5, 7), NDArrayIndex.all(), NDArrayIndex.all()).muli(0.5);
                double expected = dl4j.step(features, chunk.getLabels());
                double actual = java.step(features, chunk.getLabels());
                assertEquals(expected, actual, TOLERANCE * Math.abs(expected), "score of step " + (i + 1));
                if (i == 0) {
                    assertSameTraining(dl4jNet, javaNet, "after one step");
                }
            }
        }
        assertSameTraining(dl4jNet, javaNet, "after twenty steps");
    }

    /** For a given thread count the sums run in one order: two runs give the same bits. */
    @Test
    void theStepOnSeveralThreadsIsDeterministic() {
        MultiLayerNetwork first = network(configuration(LayerImplementation.FAST, 2, new AdaGrad(0.1, 1e-8), 5));
        MultiLayerNetwork second = twin(first);
        CharChunks chunks = chunks(13, 11);
        try (JavaTrainingStep a = JavaTrainingStep.of(first, 3); JavaTrainingStep b = JavaTrainingStep.of(second, 3)) {
            for (int i = 0; i < 10; i++) {
                DataSet chunk = chunks.chunk(i);
                assertEquals(a.step(chunk.getFeatures(), chunk.getLabels()), b.step(chunk.getFeatures(), chunk.getLabels()));
            }
        }
        assertEquals(first.params(), second.params());
        assertEquals(first.getUpdater().getStateViewArray(), second.getUpdater().getStateViewArray());
    }

    private static long javaStepThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("rnnlab-java-step-part-")).count();
    }

    @Test
    void closeEndsTheStepsDaemonThreadsAndRefusesFurtherSteps() {
        long before = javaStepThreads();
        MultiLayerNetwork network = network(configuration(LayerImplementation.FAST, 1, new AdaGrad(0.01, 1e-8), 5));
        JavaTrainingStep step = JavaTrainingStep.of(network, 3);
        DataSet chunk = chunks(5, 12).chunk(0);
        step.step(chunk.getFeatures(), chunk.getLabels());
        assertEquals(before + 2, javaStepThreads(), "two threads besides the caller's");
        step.close();
        step.close(); // a second close does nothing
        assertEquals(before, javaStepThreads());
        assertThrows(IllegalStateException.class, () -> step.step(chunk.getFeatures(), chunk.getLabels()));
    }

    @Test
    void resetStateMidwayGivesTheSameTraining() {
        MultiLayerNetwork dl4j = network(configuration(LayerImplementation.FAST, 1, new AdaGrad(0.01, 1e-8), 5));
        trainSideBySide(dl4j, twin(dl4j), chunks(2, 3), 20, 7);
    }

    @Test
    void clippingIsAppliedLikeDl4jsUpdater() {
        // A threshold well below the gradients' size: most of them are clipped in every step
        MultiLayerConfiguration configuration = configuration(LayerImplementation.FAST, 2, new AdaGrad(0.01, 1e-8), 0.002);
        MultiLayerNetwork dl4j = network(configuration);
        CharChunks chunks = chunks(2, 4); // a minibatch above 1, so that dividing before clipping matters
        MultiLayerNetwork probe = twin(dl4j);
        DataSet first = chunks.chunk(0);
        probe.setInput(first.getFeatures());
        probe.setLabels(first.getLabels());
        probe.computeGradientAndScore();
        double largest = probe.gradient().gradient().amaxNumber().doubleValue();
        assertTrue(largest > 10 * 0.002, "the gradients are too small for the threshold to matter: " + largest);
        trainSideBySide(dl4j, twin(dl4j), chunks, 20, Integer.MAX_VALUE);
    }

    @Test
    void aSavedZipRestoresAndResumesWithTheSameUpdates(@TempDir Path dir) throws Exception {
        MultiLayerNetwork trained = network(configuration(LayerImplementation.FAST, 2, new AdaGrad(0.01, 1e-8), 5));
        CarriedStateTrainer trainer = new CarriedStateTrainer(trained);
        CharChunks chunks = chunks(1, 5);
        for (int i = 0; i < 12; i++) {
            DataSet chunk = chunks.chunk(i);
            trainer.step(chunk.getFeatures(), chunk.getLabels());
        }
        File zip = dir.resolve("model.zip").toFile();
        ModelSerializer.writeModel(trained, zip, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(zip, true);
        assertEquals(trained.params(), restored.params());
        assertEquals(trained.getUpdater().getStateViewArray(), restored.getUpdater().getStateViewArray());
        assertEquals(12, restored.getIterationCount());

        // The stored state is not saved: all three continue from a zero state
        MultiLayerNetwork restoredDl4j = twin(restored);
        restoredDl4j.setIterationCount(restored.getIterationCount());
        trainer.resetState();
        CarriedStateTrainer resumed = new CarriedStateTrainer(restored);
        CarriedStateTrainer resumedDl4j = CarriedStateTrainer.withDl4jStep(restoredDl4j);
        for (int i = 12; i < 16; i++) {
            DataSet chunk = chunks.chunk(i);
            trainer.step(chunk.getFeatures(), chunk.getLabels());
            resumed.step(chunk.getFeatures(), chunk.getLabels());
            resumedDl4j.step(chunk.getFeatures(), chunk.getLabels());
            assertTrue(resumed.lastStepWasJava());
        }
        assertEquals(trained.params(), restored.params(), "the Java step resumed from the zip");
        assertEquals(trained.getUpdater().getStateViewArray(), restored.getUpdater().getStateViewArray());
        assertSameTraining(restoredDl4j, restored, "resumed");
        assertEquals(16, restored.getIterationCount());
    }

    @Test
    void theJavaAndDl4jStepsCanAlternateOnOneNetwork() {
        MultiLayerNetwork dl4j = network(configuration(LayerImplementation.FAST, 1, new AdaGrad(0.01, 1e-8), 5));
        MultiLayerNetwork mixed = twin(dl4j);
        CarriedStateTrainer reference = CarriedStateTrainer.withDl4jStep(dl4j);
        CarriedStateTrainer java = new CarriedStateTrainer(mixed);
        CarriedStateTrainer viaDl4j = CarriedStateTrainer.withDl4jStep(mixed);
        CharChunks chunks = chunks(1, 6);
        for (int i = 0; i < 10; i++) {
            DataSet chunk = chunks.chunk(i);
            reference.step(chunk.getFeatures(), chunk.getLabels());
            (i % 3 == 1 ? viaDl4j : java).step(chunk.getFeatures(), chunk.getLabels());
        }
        assertSameTraining(dl4j, mixed, "after ten alternating steps");
    }

    @Test
    void otherConfigurationsAndListenersTakeDl4jsStep() {
        assertNotNull(JavaTrainingStep.unsupported(network(configuration(LayerImplementation.FAST, 1, new Nesterovs(0.01), 5))));
        MultiLayerConfiguration doubles = configuration(LayerImplementation.FAST, 1, new AdaGrad(0.01), 5);
        doubles.setDataType(DataType.DOUBLE);
        assertNotNull(JavaTrainingStep.unsupported(network(doubles)));
        MultiLayerConfiguration sigmoid = new NeuralNetConfiguration.Builder().updater(new AdaGrad(0.01)).list()
                .layer(LayerImplementation.FAST.simpleRnn().nOut(UNITS).activation(Activation.SIGMOID).build())
                .layer(LayerImplementation.FAST.rnnOutput(LossFunction.MCXENT).nOut(SYMBOLS).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.recurrent(SYMBOLS)).backpropType(BackpropType.TruncatedBPTT)
                .tBPTTForwardLength(STEPS).tBPTTBackwardLength(STEPS).build();
        assertNotNull(JavaTrainingStep.unsupported(network(sigmoid)));
        MultiLayerConfiguration l2 = new NeuralNetConfiguration.Builder().updater(new AdaGrad(0.01)).l2(1e-4).list()
                .layer(LayerImplementation.FAST.simpleRnn().nOut(UNITS).activation(Activation.TANH).build())
                .layer(LayerImplementation.FAST.rnnOutput(LossFunction.MCXENT).nOut(SYMBOLS).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.recurrent(SYMBOLS)).backpropType(BackpropType.TruncatedBPTT)
                .tBPTTForwardLength(STEPS).tBPTTBackwardLength(STEPS).build();
        assertNotNull(JavaTrainingStep.unsupported(network(l2)));
        assertNull(JavaTrainingStep.unsupported(network(configuration(LayerImplementation.DL4J, 2, new AdaGrad(0.01), 5))));

        // Unsupported: trained by DL4J, and still trained
        MultiLayerNetwork adam = network(configuration(LayerImplementation.FAST, 1, new Nesterovs(0.01), 5));
        CarriedStateTrainer adamTrainer = new CarriedStateTrainer(adam);
        DataSet chunk = chunks(1, 7).chunk(0);
        INDArray before = adam.params().dup();
        adamTrainer.step(chunk.getFeatures(), chunk.getLabels());
        assertFalse(adamTrainer.lastStepWasJava());
        assertFalse(before.equals(adam.params()));

        // Listeners expect DL4J's own step; so do minibatches above the Java step's limit
        MultiLayerNetwork listened = network(configuration(LayerImplementation.FAST, 1, new AdaGrad(0.01), 5));
        CarriedStateTrainer listenedTrainer = new CarriedStateTrainer(listened);
        listenedTrainer.step(chunk.getFeatures(), chunk.getLabels());
        assertTrue(listenedTrainer.lastStepWasJava());
        listened.addListeners(new ScoreIterationListener(1000));
        listenedTrainer.step(chunk.getFeatures(), chunk.getLabels());
        assertFalse(listenedTrainer.lastStepWasJava());

        MultiLayerNetwork wide = network(configuration(LayerImplementation.FAST, 1, new AdaGrad(0.01), 5));
        CarriedStateTrainer wideTrainer = new CarriedStateTrainer(wide);
        DataSet wideChunk = chunks(JavaTrainingStep.MAX_MINIBATCH + 1, 8).chunk(0);
        wideTrainer.step(wideChunk.getFeatures(), wideChunk.getLabels());
        assertFalse(wideTrainer.lastStepWasJava());
    }
}
