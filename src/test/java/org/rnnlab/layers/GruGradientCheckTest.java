package org.rnnlab.layers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration.ListBuilder;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/**
 * DL4J's GradientCheckUtil (central differences against backprop, DOUBLE, with the settings the
 * project's other gradient checks use) on networks with Gru layers: both variants, feature masks,
 * last-step outputs, stacks with Gru, SimpleRnn and LSTM.
 */
class GruGradientCheckTest {
    private static final int IN = 3;
    private static final int CLASSES = 3;
    private static final int MINIBATCH = 3;
    private static final int STEPS = 4;
    /** Elements per parameter that finite differences look at, evenly spaced (all of the Gru's smaller ones). */
    private static final int MAX_PER_PARAM = 12;

    private static DataType previousDefault;
    private static DataType previousFloatDefault;

    /** GradientCheckUtil insists on DOUBLE as ND4J's global default too. */
    @BeforeAll
    static void doubleByDefault() {
        previousDefault = Nd4j.dataType();
        previousFloatDefault = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterAll
    static void restoreDefault() {
        Nd4j.setDefaultDataTypes(previousDefault, previousFloatDefault);
    }

    private static ListBuilder list(long seed) {
        return new NeuralNetConfiguration.Builder().seed(seed).dataType(DataType.DOUBLE).updater(new NoOp()).list();
    }

    private static Gru gru(int units, boolean resetAfter) {
        return new Gru.Builder().nOut(units).resetAfter(resetAfter).build();
    }

    private static RnnOutputLayer softmaxPerStep() {
        return new RnnOutputLayer.Builder(LossFunction.MCXENT).nOut(CLASSES).activation(Activation.SOFTMAX).build();
    }

    /** Every parameter drawn from [-0.5, 0.5] (biases too, so that RB and b are both exercised). */
    private static MultiLayerNetwork network(MultiLayerConfiguration configuration, long seed) {
        MultiLayerNetwork network = new MultiLayerNetwork(configuration);
        network.init();
        Nd4j.getRandom().setSeed(seed);
        network.params().assign(Nd4j.rand(DataType.DOUBLE, network.params().shape()).subi(0.5));
        return network;
    }

    private static INDArray features(int steps, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(DataType.DOUBLE, MINIBATCH, IN, steps).muli(2).subi(1);
    }

    /** One-hot labels [minibatch, classes, steps]. */
    private static INDArray perStepLabels(int steps, long seed) {
        java.util.Random random = new java.util.Random(seed);
        INDArray labels = Nd4j.zeros(DataType.DOUBLE, MINIBATCH, CLASSES, steps);
        for (int e = 0; e < MINIBATCH; e++) {
            for (int t = 0; t < steps; t++) {
                labels.putScalar(new long[] {e, random.nextInt(CLASSES), t}, 1.0);
            }
        }
        return labels;
    }

    /**
     * Padding at the start of example 0 (a fresh start), a masked step inside example 1 (the state is
     * reset there) and padding at the end of example 2.
     */
    private static INDArray mixedMask() {
        return Nd4j.create(new double[][] {{0, 1, 1, 1}, {1, 1, 0, 1}, {1, 1, 1, 0}});
    }

    private static void check(MultiLayerNetwork network, INDArray features, INDArray labels, INDArray featureMask,
            INDArray labelMask) {
        boolean passed = GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig()
                .net(network)
                .input(features)
                .labels(labels)
                .inputMask(featureMask)
                .labelMask(labelMask)
                .epsilon(1e-6)
                .maxRelError(1e-3)
                .minAbsoluteError(1e-8)
                .subset(true)
                .maxPerParam(MAX_PER_PARAM)
                .print(GradientCheckUtil.PrintMode.FAILURES_ONLY)
                .exitOnFirstError(false));
        assertTrue(passed, "GradientCheckUtil failed; see the log for the parameters");
        // Not vacuous: every Gru parameter has a gradient of some size
        for (Map.Entry<String, INDArray> gradient : network.gradient().gradientForVariable().entrySet()) {
            int layer = Integer.parseInt(gradient.getKey().substring(0, gradient.getKey().indexOf('_')));
            if (network.getLayer(layer) instanceof GruLayer) {
                double size = gradient.getValue().amaxNumber().doubleValue();
                assertTrue(size > 1e-4, gradient.getKey() + ": largest gradient element " + size);
            }
        }
    }

    @ParameterizedTest(name = "resetAfter {0}")
    @ValueSource(booleans = {false, true})
    void gruWithAnOutputAtEveryStep(boolean resetAfter) {
        MultiLayerNetwork network = network(list(1).layer(gru(4, resetAfter)).layer(softmaxPerStep())
                .setInputType(InputType.recurrent(IN)).build(), 2);
        check(network, features(STEPS, 3), perStepLabels(STEPS, 4), null, null);
    }

    @ParameterizedTest(name = "resetAfter {0}")
    @ValueSource(booleans = {false, true})
    void gruWithFeatureMasksAtTheStartInsideAndAtTheEnd(boolean resetAfter) {
        MultiLayerNetwork network = network(list(5).layer(gru(4, resetAfter)).layer(softmaxPerStep())
                .setInputType(InputType.recurrent(IN)).build(), 6);
        check(network, features(STEPS, 7), perStepLabels(STEPS, 8), mixedMask(), mixedMask());
    }

    @ParameterizedTest(name = "resetAfter {0}")
    @ValueSource(booleans = {false, true})
    void lastTimeStepIntoAnOutputLayer(boolean resetAfter) {
        MultiLayerNetwork network = network(list(13).layer(new LastTimeStep(gru(4, resetAfter)))
                .layer(new OutputLayer.Builder(LossFunction.MSE).nOut(2).activation(Activation.IDENTITY).build())
                .setInputType(InputType.recurrent(IN)).build(), 14);
        Nd4j.getRandom().setSeed(15);
        INDArray labels = Nd4j.rand(DataType.DOUBLE, MINIBATCH, 2).subi(0.5);
        check(network, features(STEPS, 16), labels, null, null);
        check(network, features(STEPS, 17), labels, mixedMask(), null);
    }

    @ParameterizedTest(name = "resetAfter {0}")
    @ValueSource(booleans = {false, true})
    void twoStackedGruLayers(boolean resetAfter) {
        MultiLayerNetwork network = network(list(18).layer(gru(4, resetAfter)).layer(gru(3, !resetAfter))
                .layer(softmaxPerStep()).setInputType(InputType.recurrent(IN)).build(), 19);
        check(network, features(STEPS, 20), perStepLabels(STEPS, 21), mixedMask(), mixedMask());
    }

    @Test
    void gruBetweenSimpleRnnAndLstm() {
        MultiLayerNetwork network = network(list(24)
                .layer(new SimpleRnn.Builder().nOut(4).activation(Activation.TANH).build())
                .layer(gru(3, true))
                .layer(new LSTM.Builder().nOut(3).activation(Activation.TANH).build())
                .layer(gru(3, false))
                .layer(softmaxPerStep()).setInputType(InputType.recurrent(IN)).build(), 25);
        check(network, features(STEPS, 26), perStepLabels(STEPS, 27), mixedMask(), mixedMask());
    }

    @Test
    void otherGateAndOutputActivations() {
        MultiLayerNetwork network = network(list(30)
                .layer(new Gru.Builder().nOut(4).gateActivationFunction(Activation.HARDSIGMOID)
                        .activation(Activation.SOFTSIGN).build())
                .layer(softmaxPerStep()).setInputType(InputType.recurrent(IN)).build(), 31);
        check(network, features(STEPS, 32), perStepLabels(STEPS, 33), null, null);
    }
}
