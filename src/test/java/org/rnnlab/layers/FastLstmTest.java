package org.rnnlab.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import java.io.File;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.rnnlab.nets.NetworkShape;
import org.rnnlab.reference.Dl4jMapping;
import org.rnnlab.reference.GradientCheck;
import org.rnnlab.reference.ReferenceCell;
import org.rnnlab.reference.ReferenceRnn;

/**
 * rnnlab's FastLstm against DL4J's LSTM on identical weights and against the reference RNN, in
 * float to float rounding (the fast path is float only; in double FastLstm runs DL4J's code, which
 * Dl4jLstmTest checks against the reference to 1e-10).
 */
class FastLstmTest {

    /** A float network of the given layers (one builder per implementation), NoOp updater. */
    static MultiLayerNetwork network(int nIn, BackpropType backprop, int tbptt,
            Function<LayerImplementation, Layer[]> layers, LayerImplementation implementation) {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder().seed(7).updater(new NoOp())
                .dataType(DataType.FLOAT).list();
        for (Layer layer : layers.apply(implementation)) {
            list.layer(layer);
        }
        list.setInputType(InputType.recurrent(nIn)).backpropType(backprop);
        if (backprop == BackpropType.TruncatedBPTT) {
            list.tBPTTForwardLength(tbptt).tBPTTBackwardLength(tbptt);
        }
        MultiLayerNetwork network = new MultiLayerNetwork(list.build());
        network.init();
        return network;
    }

    private static Layer lstm(LayerImplementation implementation, int units, Activation activation) {
        return implementation.lstm().nOut(units).activation(activation).build();
    }

    static Layer perStep(LossFunction loss, Activation activation, int nOut) {
        return LayerImplementation.DL4J.rnnOutput(loss).nOut(nOut).activation(activation).build();
    }

    /** Twin networks, fast and DL4J's, with the same random weights. */
    record Twins(MultiLayerNetwork fast, MultiLayerNetwork stock, ReferenceRnn reference) {
        static Twins of(int nIn, Function<LayerImplementation, Layer[]> layers, long seed) {
            return of(nIn, BackpropType.Standard, 0, layers, seed);
        }

        static Twins of(int nIn, BackpropType backprop, int tbptt, Function<LayerImplementation, Layer[]> layers,
                long seed) {
            MultiLayerNetwork fast = network(nIn, backprop, tbptt, layers, LayerImplementation.FAST);
            MultiLayerNetwork stock = network(nIn, backprop, tbptt, layers, LayerImplementation.DL4J);
            ReferenceRnn reference = Dl4jMapping.architecture(fast.getLayerWiseConfigurations());
            reference.randomize(new Random(seed), GradientCheck.WEIGHT_SCALE);
            Dl4jMapping.copyParameters(reference, fast);
            Dl4jMapping.copyParameters(reference, stock);
            assertInstanceOf(InputGradientOptional.class, fast.getLayer(0) instanceof org.deeplearning4j.nn.layers
                    .recurrent.LastTimeStepLayer wrapper ? wrapper.getUnderlying() : fast.getLayer(0), "a fast layer");
            return new Twins(fast, stock, reference);
        }
    }

    static Stream<Arguments> networks() {
        return Stream.of(
                Arguments.of("lstm, mse at every step", 3, (Function<LayerImplementation, Layer[]>) i -> new Layer[] {
                    lstm(i, 5, Activation.TANH), perStep(LossFunction.MSE, Activation.IDENTITY, 2)},
                        GradientCheck.Labels.EVERY_STEP, 4, 6),
                Arguments.of("two lstm, softmax, variable lengths", 2, (Function<LayerImplementation, Layer[]>) i ->
                        new Layer[] {lstm(i, 4, Activation.TANH), lstm(i, 3, Activation.TANH),
                            perStep(LossFunction.MCXENT, Activation.SOFTMAX, 3)},
                        GradientCheck.Labels.VARIABLE_LENGTH, 3, 5),
                Arguments.of("lstm with sigmoid as φ, one label at the end", 2, (Function<LayerImplementation, Layer[]>) i ->
                        new Layer[] {lstm(i, 3, Activation.SIGMOID), perStep(LossFunction.XENT, Activation.SIGMOID, 1)},
                        GradientCheck.Labels.LAST_STEP_MASK, 2, 4),
                Arguments.of("lstm with identity as φ", 2, (Function<LayerImplementation, Layer[]>) i -> new Layer[] {
                    lstm(i, 3, Activation.IDENTITY), perStep(LossFunction.MSE, Activation.IDENTITY, 2)},
                        GradientCheck.Labels.EVERY_STEP, 2, 4),
                Arguments.of("LastTimeStep(lstm), variable lengths", 3, (Function<LayerImplementation, Layer[]>) i ->
                        new Layer[] {new LastTimeStep(lstm(i, 4, Activation.TANH)), new OutputLayer.Builder(
                            LossFunction.XENT).nOut(2).activation(Activation.SIGMOID).build()},
                        GradientCheck.Labels.VARIABLE_LENGTH, 3, 5));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("networks")
    void fastAndDl4jLstmGiveTheSameScoreOutputsAndGradientsInFloat(String name, int nIn,
            Function<LayerImplementation, Layer[]> layers, GradientCheck.Labels labels, int minibatch, int steps) {
        Twins twins = Twins.of(nIn, layers, name.hashCode());
        ReferenceRnn.Batch batch = GradientCheck.randomBatch(twins.reference(), labels, minibatch, steps,
                new Random(name.hashCode() + 1));
        boolean lastStepOnly = twins.reference().output().lastStepOnly();
        Dl4jMapping.Dl4jResult fast = Dl4jMapping.scoreAndGradients(twins.fast(), batch, lastStepOnly);
        assertAgree(Dl4jMapping.scoreAndGradients(twins.stock(), batch, lastStepOnly), fast);
        assertAgree(reference(twins.reference(), batch), fast);
    }

    /**
     * The reference RNN's score, outputs and gradients (double precision) in the form DL4J's are
     * read in: the fast float code checked against the hand-written equations, not only against
     * another float implementation.
     */
    static Dl4jMapping.Dl4jResult reference(ReferenceRnn reference, ReferenceRnn.Batch batch) {
        ReferenceRnn.Result result = reference.forwardBackward(batch);
        return new Dl4jMapping.Dl4jResult(result.score(), result.outputs(), result.gradients());
    }

    /** Relative agreement to float rounding: 1e-5 of the larger magnitude, at least 1e-6 absolute. */
    static void assertAgree(Dl4jMapping.Dl4jResult expected, Dl4jMapping.Dl4jResult actual) {
        assertEquals(expected.score(), actual.score(), 1e-5 * Math.abs(expected.score()));
        for (Map.Entry<String, double[]> gradient : expected.gradients().entrySet()) {
            double[] theirs = gradient.getValue();
            double[] ours = actual.gradients().get(gradient.getKey());
            for (int i = 0; i < theirs.length; i++) {
                double tolerance = Math.max(1e-6, 1e-5 * Math.abs(theirs[i]));
                int at = i;
                assertEquals(theirs[i], ours[i], tolerance, () -> gradient.getKey() + "[" + at + "]");
            }
        }
        for (int n = 0; n < expected.outputs().length; n++) {
            for (int t = 0; t < expected.outputs()[n].length; t++) {
                assertArrayEquals(expected.outputs()[n][t], actual.outputs()[n][t], 1e-6, "output " + n + ", " + t);
            }
        }
    }

    /** Twins after two chunks under truncated BPTT (the state carried between them), and each one's result on the second. */
    record SecondChunk(Twins twins, ReferenceRnn.Batch second, Dl4jMapping.Dl4jResult stock,
            Dl4jMapping.Dl4jResult fast) {
        static SecondChunk of(Function<LayerImplementation, Layer[]> layers) {
            Twins twins = Twins.of(3, BackpropType.TruncatedBPTT, 4, layers, 13);
            Random random = new Random(14);
            ReferenceRnn.Batch first = GradientCheck.randomBatch(twins.reference(), GradientCheck.Labels.EVERY_STEP, 2,
                    4, random);
            ReferenceRnn.Batch second = GradientCheck.randomBatch(twins.reference(), GradientCheck.Labels.EVERY_STEP, 2,
                    4, random);
            Dl4jMapping.Dl4jResult[] results = new Dl4jMapping.Dl4jResult[2];
            MultiLayerNetwork[] networks = {twins.stock(), twins.fast()};
            for (int k = 0; k < 2; k++) {
                Dl4jMapping.scoreAndGradients(networks[k], first, false);
                networks[k].updateRnnStateWithTBPTTState();
                results[k] = Dl4jMapping.scoreAndGradients(networks[k], second, false);
            }
            return new SecondChunk(twins, second, results[0], results[1]);
        }
    }

    /**
     * Two chunks under truncated BPTT as MultiLayerNetwork's fit runs them (its backward pass is
     * backpropGradient even then): the second chunk is scored from the carried h and c by both
     * layers, but DL4J's LSTM computes its gradient from a forward pass it repeats from zeros. The
     * fast layer's gradient is that of the pass it scored: the reference RNN's from the carried
     * states, to float rounding; DL4J's is not (if that part fails, DL4J has fixed it).
     */
    @Test
    void aSecondTruncatedChunksGradientIsTheReferencesFromTheCarriedStates() {
        SecondChunk chunk = SecondChunk.of(i -> new Layer[] {lstm(i, 4, Activation.TANH),
            perStep(LossFunction.MSE, Activation.IDENTITY, 2)});
        Dl4jMapping.Dl4jResult[] results = {chunk.stock(), chunk.fast()};
        Map<String, INDArray> state = chunk.twins().fast().rnnGetPreviousState(0);
        ReferenceRnn.InitialStates carried = new ReferenceRnn.InitialStates(
                new double[][][] {state.get(org.deeplearning4j.nn.layers.recurrent.LSTM.STATE_KEY_PREV_ACTIVATION)
                        .toDoubleMatrix()},
                new double[][][] {state.get(org.deeplearning4j.nn.layers.recurrent.LSTM.STATE_KEY_PREV_MEMCELL)
                        .toDoubleMatrix()});
        Dl4jMapping.Dl4jResult fromCarried = reference(chunk.twins().reference(),
                chunk.second().withInitialStates(carried));
        // score and gradients; Dl4jMapping's outputs are output()'s, from zeros
        assertAgree(new Dl4jMapping.Dl4jResult(fromCarried.score(), results[1].outputs(), fromCarried.gradients()),
                results[1]);
        assertEquals(results[0].score(), results[1].score(), 1e-5 * results[0].score(), "both score the carried pass");
        double[] right = fromCarried.gradients().get("0_W");
        double[] dl4j = results[0].gradients().get("0_W");
        double largest = 0;
        for (int i = 0; i < right.length; i++) {
            largest = Math.max(largest, Math.abs(right[i] - dl4j[i]));
        }
        assertTrue(largest > 1e-4, "DL4J's LSTM gradient, from a pass repeated from zeros, differs by " + largest);
    }

    /** Two chunks under truncated BPTT on twins: the second's score, gradients and the carried states agree. */
    static void checkSecondChunk(Function<LayerImplementation, Layer[]> layers, String... stateKeys) {
        SecondChunk chunk = SecondChunk.of(layers);
        Twins twins = chunk.twins();
        assertAgree(chunk.stock(), chunk.fast());
        for (String key : stateKeys) {
            INDArray theirs = ((org.deeplearning4j.nn.api.layers.RecurrentLayer) twins.stock().getLayer(0))
                    .rnnGetTBPTTState().get(key);
            INDArray ours = ((org.deeplearning4j.nn.api.layers.RecurrentLayer) twins.fast().getLayer(0))
                    .rnnGetTBPTTState().get(key);
            assertTrue(theirs.equalsWithEps(ours, 1e-5), key);
        }
    }

    /**
     * A small char-rnn (one-hot input, softmax output), Adam, truncated BPTT: a few fit() calls score
     * the same. Each fit() is one chunk of the truncation length, which DL4J's fit starts from zeros,
     * so DL4J's LSTM and the fast one compute the same gradient (with a carried state they differ on
     * purpose: the test above).
     */
    @Test
    void truncatedBpttTrainingOfACharNetworkScoresAsDl4jLstm() {
        int chars = 7;
        Function<LayerImplementation, Layer[]> layers = i -> new Layer[] {lstm(i, 8, Activation.TANH),
            i.rnnOutput(LossFunction.MCXENT).nOut(chars).activation(Activation.SOFTMAX).build()};
        MultiLayerNetwork[] networks = new MultiLayerNetwork[2];
        LayerImplementation[] implementations = {LayerImplementation.DL4J, LayerImplementation.FAST};
        for (int k = 0; k < 2; k++) {
            MultiLayerConfiguration configuration = new NeuralNetConfiguration.Builder().seed(5)
                    .updater(new Adam(0.01)).dataType(DataType.FLOAT).list()
                    .layer(layers.apply(implementations[k])[0]).layer(layers.apply(implementations[k])[1])
                    .setInputType(InputType.recurrent(chars)).backpropType(BackpropType.TruncatedBPTT)
                    .tBPTTForwardLength(5).tBPTTBackwardLength(5).build();
            networks[k] = new MultiLayerNetwork(configuration);
            networks[k].init();
        }
        networks[1].setParams(networks[0].params());
        assertInstanceOf(FastLstmLayer.class, networks[1].getLayer(0));
        Random random = new Random(3);
        int streams = 4;
        int steps = 5;
        INDArray features = Nd4j.zeros(DataType.FLOAT, streams, chars, steps);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, streams, chars, steps);
        for (int s = 0; s < streams; s++) {
            int c = random.nextInt(chars);
            for (int t = 0; t < steps; t++) {
                features.putScalar(s, c, t, 1);
                c = (c + 1 + random.nextInt(2)) % chars;
                labels.putScalar(s, c, t, 1);
            }
        }
        DataSet data = new DataSet(features, labels);
        for (int fit = 0; fit < 4; fit++) {
            networks[0].fit(data);
            networks[1].fit(data);
            double theirs = networks[0].score();
            assertEquals(theirs, networks[1].score(), 1e-5 * Math.abs(theirs), "fit " + fit);
        }
        INDArray difference = networks[0].params().sub(networks[1].params());
        assertTrue(difference.amaxNumber().doubleValue() < 1e-4, "parameters differ by " + difference.amaxNumber());
    }

    /**
     * char-rnn's trainers with an LSTM: chunk after chunk with the state carried, the stream-split
     * trainer (two parts, input gradient skipped) scores as the one-thread trainer on FastLstm, and
     * both score as the one-thread trainer on DL4J's LSTM on the first chunk, the only one whose
     * gradients DL4J's LSTM computes from the state it scored.
     */
    @Test
    void charRnnsTrainersCarryTheFastLstmsState() {
        checkTrainers(i -> lstm(i, 6, Activation.TANH), 1);
    }

    /**
     * char-rnn's two trainers on the fast layer against each other, and against the one-thread
     * trainer on the DL4J implementation's layer for its first {@code asDl4j} chunks (all of them:
     * the same parameters at the end).
     */
    static void checkTrainers(Function<LayerImplementation, Layer> recurrent, int asDl4j) {
        int chars = 6;
        int streams = 5;
        int length = 7;
        MultiLayerNetwork[] networks = new MultiLayerNetwork[2];
        LayerImplementation[] implementations = {LayerImplementation.DL4J, LayerImplementation.FAST};
        for (int k = 0; k < 2; k++) {
            networks[k] = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(8).updater(new Adam(0.02))
                    .dataType(DataType.FLOAT).list()
                    .layer(recurrent.apply(implementations[k]))
                    .layer(implementations[k].rnnOutput(LossFunction.MCXENT).nOut(chars).activation(Activation.SOFTMAX)
                            .build())
                    .setInputType(InputType.recurrent(chars)).backpropType(BackpropType.TruncatedBPTT)
                    .tBPTTForwardLength(length).tBPTTBackwardLength(length).build());
            networks[k].init();
        }
        networks[1].setParams(networks[0].params());
        MultiLayerNetwork split = networks[1].clone();
        Random random = new Random(4);
        int[] text = new int[streams * (length * 6 + 1)];
        for (int i = 0; i < text.length; i++) {
            text[i] = random.nextInt(chars);
        }
        org.rnnlab.data.CharChunks chunks = new org.rnnlab.data.CharChunks(text, chars, streams, length);
        org.rnnlab.nets.CarriedStateTrainer stock = org.rnnlab.nets.CarriedStateTrainer.withDl4jStep(networks[0]);
        org.rnnlab.nets.CarriedStateTrainer fast = new org.rnnlab.nets.CarriedStateTrainer(networks[1]);
        try (org.rnnlab.nets.StreamSplitTrainer parts = new org.rnnlab.nets.StreamSplitTrainer(split, 2)) {
            for (int k = 0; k < 6; k++) {
                DataSet chunk = chunks.chunk(k);
                double theirs = stock.step(chunk.getFeatures(), chunk.getLabels());
                double ours = fast.step(chunk.getFeatures(), chunk.getLabels());
                if (k < asDl4j) {
                    assertEquals(theirs, ours, 1e-5 * theirs, "chunk " + k);
                }
                assertEquals(ours, parts.step(chunk.getFeatures(), chunk.getLabels()), 1e-5 * ours,
                        "chunk " + k + ", two parts");
            }
        }
        if (asDl4j >= 6) {
            assertTrue(networks[0].params().equalsWithEps(networks[1].params(), 1e-4), "parameters");
        }
        assertTrue(networks[1].params().equalsWithEps(split.params(), 1e-4), "parameters, two parts");
    }

    @Test
    void stepByStepOutputsEqualTheWholeSequence() {
        Twins twins = Twins.of(3, i -> new Layer[] {lstm(i, 5, Activation.TANH), lstm(i, 4, Activation.TANH),
            perStep(LossFunction.MSE, Activation.IDENTITY, 2)}, 9);
        MultiLayerNetwork network = twins.fast();
        INDArray sequence = Nd4j.rand(DataType.FLOAT, 3, 3, 6);
        INDArray whole = network.output(sequence);
        assertTrue(whole.equalsWithEps(twins.stock().output(sequence), 1e-6), "the whole sequence as DL4J's");
        network.rnnClearPreviousState();
        for (int t = 0; t < 6; t++) {
            INDArray step = network.rnnTimeStep(sequence.get(all(), all(), interval(t, t + 1)));
            assertTrue(whole.get(all(), all(), interval(t, t + 1)).equalsWithEps(step, 1e-6), "step " + t);
        }
    }

    @Test
    void aFastLstmStartsWithTheWeightsDl4jsLstmStartsWith() {
        Function<LayerImplementation, Layer[]> layers = i -> new Layer[] {lstm(i, 4, Activation.TANH),
            i.lstm().nOut(3).forgetGateBiasInit(2.5).build(), perStep(LossFunction.MSE, Activation.IDENTITY, 1)};
        MultiLayerNetwork fast = network(2, BackpropType.Standard, 0, layers, LayerImplementation.FAST);
        MultiLayerNetwork stock = network(2, BackpropType.Standard, 0, layers, LayerImplementation.DL4J);
        assertEquals(stock.params(), fast.params());
        assertEquals(2.5, ((LSTM) fast.getLayerWiseConfigurations().getConf(1).getLayer()).getForgetGateBiasInit());
    }

    @Test
    void jsonAndModelZipKeepTheFastLstm(@TempDir Path dir) throws Exception {
        Twins twins = Twins.of(3, i -> new Layer[] {lstm(i, 5, Activation.TANH),
            perStep(LossFunction.MSE, Activation.IDENTITY, 2)}, 10);
        MultiLayerNetwork network = twins.fast();
        MultiLayerConfiguration copy = MultiLayerConfiguration.fromJson(network.getLayerWiseConfigurations().toJson());
        assertEquals(network.getLayerWiseConfigurations(), copy);
        assertInstanceOf(FastLstm.class, copy.getConf(0).getLayer());
        assertTrue(!copy.equals(twins.stock().getLayerWiseConfigurations()), "FastLstm is not DL4J's LSTM");

        File zip = dir.resolve("model.zip").toFile();
        ModelSerializer.writeModel(network, zip, true);
        MultiLayerNetwork loaded = ModelSerializer.restoreMultiLayerNetwork(zip, true);
        assertInstanceOf(FastLstmLayer.class, loaded.getLayer(0));
        INDArray input = Nd4j.rand(DataType.FLOAT, 2, 3, 4);
        assertEquals(network.output(input), loaded.output(input));
        // The parameters are DL4J's LSTM's: a DL4J LSTM network takes them as they are.
        twins.stock().setParams(loaded.params());
        assertTrue(twins.stock().output(input).equalsWithEps(loaded.output(input), 1e-6));
    }

    @Test
    void theFastImplementationsLstmCellIsAFastLstmThatEverythingTakesForAnLstm() {
        Layer fast = Cell.LSTM.layer(LayerImplementation.FAST, Activation.RELU).nIn(3).nOut(4).build();
        Layer stock = Cell.LSTM.layer(LayerImplementation.DL4J, Activation.RELU).nIn(3).nOut(4).build();
        assertInstanceOf(FastLstm.class, fast);
        assertSame(LSTM.class, stock.getClass());
        MultiLayerConfiguration configuration = new NeuralNetConfiguration.Builder().list().layer(fast)
                .layer(perStep(LossFunction.MSE, Activation.IDENTITY, 1)).setInputType(InputType.recurrent(3)).build();
        assertEquals(ReferenceCell.LSTM, Dl4jMapping.architecture(configuration).layers().get(0).cell());
        assertEquals("LSTM", NetworkShape.of(configuration).layers().get(0).kind());
    }
}
