package org.rnnlab.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.GravesLSTM;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.rnnlab.layers.LayerImplementation;

/**
 * DL4J 1.0.0-M2.1's LSTM layer against the reference: GradientCheck's three checks (outputs and
 * score to 1e-10, every gradient element to 1e-8, the reference against finite differences, and
 * GradientCheckUtil) on DOUBLE networks with masks and last-step outputs, and the DL4J facts the
 * reference's LSTM rests on: the forget gate's bias starts at 1, the layer computes masked steps like
 * any other, and a carried-over h and c start the next chunk.
 */
class Dl4jLstmTest {

    private static LSTM lstm(int units, Activation activation) {
        return new LSTM.Builder().nOut(units).activation(activation).build();
    }

    /** The layers in a network on recurrent input of {@code nIn} features (Dl4jGruTest's too). */
    static MultiLayerConfiguration network(int nIn, Layer... layers) {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder().seed(1).list();
        for (Layer layer : layers) {
            list.layer(layer);
        }
        return list.setInputType(InputType.recurrent(nIn)).build();
    }

    private static RnnOutputLayer perStep(LossFunction loss, Activation activation, int nOut) {
        return new RnnOutputLayer.Builder(loss).nOut(nOut).activation(activation).build();
    }

    private static OutputLayer lastStep(LossFunction loss, Activation activation, int nOut) {
        return new OutputLayer.Builder(loss).nOut(nOut).activation(activation).build();
    }

    static Stream<Arguments> networks() {
        SimpleRnn fastRnn = (SimpleRnn) LayerImplementation.FAST.simpleRnn().nOut(3).activation(Activation.TANH).build();
        return Stream.of(
                Arguments.of("lstm, mse at every step", network(3, lstm(4, Activation.TANH),
                        perStep(LossFunction.MSE, Activation.IDENTITY, 2)), true, GradientCheck.Labels.EVERY_STEP, 2, 4),
                Arguments.of("lstm, softmax, variable lengths", network(2, lstm(5, Activation.TANH),
                        perStep(LossFunction.MCXENT, Activation.SOFTMAX, 3)), true, GradientCheck.Labels.VARIABLE_LENGTH,
                        3, 5),
                Arguments.of("two lstm, one label at the end", network(2, lstm(3, Activation.TANH),
                        lstm(4, Activation.TANH), perStep(LossFunction.XENT, Activation.SIGMOID, 1)), true,
                        GradientCheck.Labels.LAST_STEP_MASK, 2, 4),
                Arguments.of("LastTimeStep(lstm), variable lengths", network(3,
                        new LastTimeStep(lstm(4, Activation.TANH)), lastStep(LossFunction.XENT, Activation.SIGMOID, 2)),
                        true, GradientCheck.Labels.VARIABLE_LENGTH, 3, 5),
                Arguments.of("simple rnn, lstm, LastTimeStep(simple rnn)", network(2,
                        new SimpleRnn.Builder().nOut(3).activation(Activation.SIGMOID).build(), lstm(4, Activation.TANH),
                        new LastTimeStep(new SimpleRnn.Builder().nOut(2).activation(Activation.TANH).build()),
                        lastStep(LossFunction.MSE, Activation.IDENTITY, 2)), true, GradientCheck.Labels.VARIABLE_LENGTH,
                        3, 4),
                Arguments.of("lstm without bias, sigmoid as φ, last of variable lengths", network(2,
                        lstm(3, Activation.SIGMOID), perStep(LossFunction.XENT, Activation.SIGMOID, 1)), false,
                        GradientCheck.Labels.LAST_OF_VARIABLE_LENGTH, 4, 5),
                Arguments.of("rnnlab's fast SimpleRnn under an lstm with identity as φ", network(2, fastRnn,
                        lstm(2, Activation.IDENTITY), perStep(LossFunction.MSE, Activation.TANH, 2)), true,
                        GradientCheck.Labels.VARIABLE_LENGTH, 2, 4),
                // In DOUBLE rnnlab's FastLstm runs DL4J's code; FastLstmTest checks its float path against DL4J's.
                Arguments.of("two of rnnlab's FastLstm, softmax, variable lengths", network(2, fastLstm(3),
                        fastLstm(4), perStep(LossFunction.MCXENT, Activation.SOFTMAX, 3)), true,
                        GradientCheck.Labels.VARIABLE_LENGTH, 3, 5),
                Arguments.of("LastTimeStep(FastLstm), variable lengths", network(3, new LastTimeStep(fastLstm(4)),
                        lastStep(LossFunction.XENT, Activation.SIGMOID, 2)), true, GradientCheck.Labels.VARIABLE_LENGTH,
                        3, 5));
    }

    private static LSTM fastLstm(int units) {
        return LayerImplementation.FAST.lstm().nOut(units).activation(Activation.TANH).build();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("networks")
    void referenceDl4jAndFiniteDifferencesAgree(String name, MultiLayerConfiguration configuration, boolean bias,
            GradientCheck.Labels labels, int minibatch, int steps) {
        GradientCheck.Report report = GradientCheck.run(name, configuration, bias, labels, minibatch, steps,
                new Random(name.hashCode()));
        assertTrue(report.passed(), report::format);
        // Outputs, score, and the recurrent and output layers' parameters (biases but the held ones).
        long comparisons = report.rows().stream().filter(r -> r.comparison().equals("reference vs DL4J")).count();
        assertTrue(comparisons >= 2 + 2 + 2, report::format);
    }

    /** Padding before a sequence (DataVec's ALIGN_END), a hole inside one, and none. */
    private static final double[][] MASK_BEFORE_AND_INSIDE = {{0, 0, 1, 1, 1}, {1, 1, 0, 1, 1}, {1, 1, 1, 1, 1}};

    /**
     * A configuration's three checks on {@link #MASK_BEFORE_AND_INSIDE}, the label mask the same for
     * per-step outputs.
     */
    private static GradientCheck.Report checkWithPaddingBeforeAndInside(String name,
            MultiLayerConfiguration configuration, Random random) {
        MultiLayerNetwork network = randomNetwork(configuration);
        ReferenceRnn reference = randomReference(network, random);
        ReferenceRnn.Batch data = GradientCheck.randomBatch(reference, GradientCheck.Labels.EVERY_STEP, 3, 5, random);
        boolean lastStepOnly = reference.output().lastStepOnly();
        return GradientCheck.compare(name, reference, network, new ReferenceRnn.Batch(data.features(), data.labels(),
                MASK_BEFORE_AND_INSIDE, lastStepOnly ? null : MASK_BEFORE_AND_INSIDE));
    }

    /**
     * With padding before and inside sequences, an LSTM computes the masked steps like any other, in
     * DL4J and in the reference; a SimpleRnn above zeroes them, also under LastTimeStep.
     */
    @Test
    void maskedStepsBeforeAndInsideSequencesAgreeWithDl4j() {
        Random random = new Random(4);
        GradientCheck.Report[] reports = {
            checkWithPaddingBeforeAndInside("lstm", network(2, lstm(3, Activation.TANH),
                    perStep(LossFunction.MSE, Activation.IDENTITY, 2)), random),
            checkWithPaddingBeforeAndInside("lstm, simple rnn, lstm", network(2, lstm(3, Activation.TANH),
                    new SimpleRnn.Builder().nOut(3).activation(Activation.TANH).build(), lstm(2, Activation.TANH),
                    perStep(LossFunction.XENT, Activation.SIGMOID, 2)), random),
            checkWithPaddingBeforeAndInside("lstm, LastTimeStep(simple rnn)", network(2, lstm(3, Activation.TANH),
                    new LastTimeStep(new SimpleRnn.Builder().nOut(3).activation(Activation.TANH).build()),
                    lastStep(LossFunction.MCXENT, Activation.SOFTMAX, 3)), random)};
        for (GradientCheck.Report report : reports) {
            assertTrue(report.passed(), report::format);
        }
    }

    /**
     * LastTimeStep hands its mask to the LSTM it wraps, whose forward pass then zeroes h and c at
     * masked steps, as the reference's does: outputs and score agree. Its backward pass is given no
     * mask, so with padding before the last real step DL4J's gradients are not those of its own
     * forward pass: the reference's agree with finite differences, DL4J's differ, and DL4J's own
     * GradientCheckUtil fails. With padding only after the ends (networks() above) all agree. If this
     * test fails, DL4J has fixed it.
     */
    @Test
    void underLastTimeStepDl4jsLstmMasksItsForwardPassButNotItsBackwardPass() {
        GradientCheck.Report report = checkWithPaddingBeforeAndInside("LastTimeStep(lstm)", network(2,
                new LastTimeStep(lstm(2, Activation.TANH)), lastStep(LossFunction.MCXENT, Activation.SOFTMAX, 2)),
                new Random(5));
        for (GradientCheck.Row row : report.rows()) {
            boolean agrees = switch (row.comparison()) {
                case "reference vs DL4J" -> row.parameter().equals("output") || row.parameter().equals("score")
                        || row.parameter().startsWith("1_");
                case "reference vs finite diff." -> true;
                default -> false;
            };
            assertEquals(agrees, row.passed(), () -> row + "\n" + report.format());
        }
    }

    /** The DL4J fact itself: an LSTM network's outputs are the same with and without a feature mask. */
    @Test
    void dl4jsLstmComputesMaskedStepsLikeAnyOther() {
        double[][] mask = {{0, 1, 1, 0, 1}};
        MultiLayerNetwork lstm = randomNetwork(network(2, lstm(3, Activation.TANH),
                perStep(LossFunction.MSE, Activation.IDENTITY, 2)));
        MultiLayerNetwork simple = randomNetwork(network(2, new SimpleRnn.Builder().nOut(3).activation(Activation.TANH)
                .build(), perStep(LossFunction.MSE, Activation.IDENTITY, 2)));
        INDArray x = Nd4j.rand(DataType.DOUBLE, 1, 2, 5);
        INDArray m = Dl4jMapping.mask(mask);
        assertEquals(lstm.output(x, false, null, null), lstm.output(x, false, m, null));
        assertTrue(simple.output(x, false, null, null).sub(simple.output(x, false, m, null)).amaxNumber().doubleValue()
                > 1e-3, "a SimpleRnn, by contrast, zeroes its masked steps");
    }

    @Test
    void theForgetGatesBiasStartsAtOneAndTheOtherBiasesAtZero() {
        MultiLayerNetwork network = new MultiLayerNetwork(network(2, lstm(3, Activation.TANH),
                new LSTM.Builder().nOut(2).forgetGateBiasInit(2.5).build(),
                perStep(LossFunction.MSE, Activation.IDENTITY, 1)));
        network.init();
        // Blocks [g | f | o | i] of 3 and of 2 units: only f's are set.
        assertArrayEquals(new double[] {0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0}, network.getParam("0_b").toDoubleVector(), 0);
        assertArrayEquals(new double[] {0, 0, 2.5, 2.5, 0, 0, 0, 0}, network.getParam("1_b").toDoubleVector(), 0);
        assertEquals(ReferenceCell.LSTM.numParams(2, 3, true), network.getLayer(0).numParams());
    }

    /**
     * Two chunks of the same streams under truncated BPTT: DL4J scores the second from the carried h
     * and c as the reference does from the same initial states. Its LSTM gradients, though, belong
     * neither to that pass nor to one from zero states (as with its SimpleRnn, FastLayersTest); if
     * that part fails, DL4J has fixed it.
     */
    @Test
    void aCarriedHiddenAndCellStateStartTheNextChunkAsInTheReference() {
        MultiLayerConfiguration configuration = new NeuralNetConfiguration.Builder().seed(1).updater(new NoOp())
                .dataType(DataType.DOUBLE).list()
                .layer(lstm(3, Activation.TANH))
                .layer(perStep(LossFunction.MSE, Activation.IDENTITY, 2))
                .setInputType(InputType.recurrent(2)).backpropType(BackpropType.TruncatedBPTT)
                .tBPTTForwardLength(4).tBPTTBackwardLength(4).build();
        DataType previous = Nd4j.dataType();
        DataType previousFloat = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            MultiLayerNetwork network = new MultiLayerNetwork(configuration);
            network.init();
            Random random = new Random(6);
            ReferenceRnn reference = randomReference(network, random);
            ReferenceRnn.Batch first = GradientCheck.randomBatch(reference, GradientCheck.Labels.EVERY_STEP, 2, 4, random);
            ReferenceRnn.Batch second = GradientCheck.randomBatch(reference, GradientCheck.Labels.EVERY_STEP, 2, 4,
                    random);
            Dl4jMapping.scoreAndGradients(network, first, false);
            network.updateRnnStateWithTBPTTState();
            Map<String, INDArray> state = network.rnnGetPreviousState(0);
            ReferenceRnn.InitialStates carried = new ReferenceRnn.InitialStates(
                    new double[][][] {state.get(org.deeplearning4j.nn.layers.recurrent.LSTM.STATE_KEY_PREV_ACTIVATION)
                            .toDoubleMatrix()},
                    new double[][][] {state.get(org.deeplearning4j.nn.layers.recurrent.LSTM.STATE_KEY_PREV_MEMCELL)
                            .toDoubleMatrix()});
            double[][][] firstStates = reference.hiddenStates(first);
            for (int e = 0; e < 2; e++) {
                assertArrayEquals(firstStates[e][3], carried.hidden()[0][e], 1e-12, "h carried out of chunk 1");
            }
            Dl4jMapping.Dl4jResult dl4j = Dl4jMapping.scoreAndGradients(network, second, false);
            ReferenceRnn.Result fromCarried = reference.forwardBackward(second.withInitialStates(carried));
            ReferenceRnn.Result fromZero = reference.forwardBackward(second);
            assertEquals(fromCarried.score(), dl4j.score(), 1e-10);
            assertTrue(Math.abs(fromZero.score() - dl4j.score()) > 1e-4, "the carried states matter");
            for (String name : new String[] {"0_W", "0_RW", "0_b"}) {
                double[] theirs = dl4j.gradients().get(name);
                assertTrue(GradientCheck.maxError(fromCarried.gradients().get(name), theirs, 1e-8) > 1e-4, name);
                assertTrue(GradientCheck.maxError(fromZero.gradients().get(name), theirs, 1e-8) > 1e-4, name);
            }
        } finally {
            Nd4j.setDefaultDataTypes(previous, previousFloat);
        }
    }

    @Test
    void gravesLstmAndHardSigmoidGatesAreNotTheReferencesLstm() {
        assertThrows(IllegalArgumentException.class, () -> Dl4jMapping.architecture(network(2,
                new GravesLSTM.Builder().nOut(3).build(), perStep(LossFunction.MSE, Activation.IDENTITY, 1))));
        assertThrows(IllegalArgumentException.class, () -> Dl4jMapping.architecture(network(2,
                new LSTM.Builder().nOut(3).gateActivationFunction(Activation.HARDSIGMOID).build(),
                perStep(LossFunction.MSE, Activation.IDENTITY, 1))));
        assertEquals(ReferenceCell.LSTM, Dl4jMapping.architecture(network(2, lstm(3, Activation.TANH),
                perStep(LossFunction.MSE, Activation.IDENTITY, 1))).layers().get(0).cell());
    }

    /** A DOUBLE network for checking, NoOp updater. */
    private static MultiLayerNetwork randomNetwork(MultiLayerConfiguration configuration) {
        MultiLayerNetwork network = new MultiLayerNetwork(Dl4jMapping.forChecking(configuration));
        network.init();
        return network;
    }

    /** The network's reference with random weights, copied into the network. */
    private static ReferenceRnn randomReference(MultiLayerNetwork network, Random random) {
        ReferenceRnn reference = Dl4jMapping.architecture(network.getLayerWiseConfigurations());
        reference.randomize(random, GradientCheck.WEIGHT_SCALE);
        Dl4jMapping.copyParameters(reference, network);
        return reference;
    }
}
