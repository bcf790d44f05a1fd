package org.rnnlab.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GravesLSTM;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.rnnlab.layers.LayerImplementation;

/** StepNetwork against DL4J's rnnTimeStep (and output() where rnnTimeStep cannot run) on random networks of every kind. */
class StepNetworkTest {
    static final int SYMBOLS = 7;
    static final int[] HIDDEN = {12, 9, 5};
    static final int OUTPUTS = 6;
    static final Activation[] RECURRENT = {Activation.TANH, Activation.SIGMOID, Activation.IDENTITY};
    static final Activation[] OUTPUT = {Activation.SOFTMAX, Activation.IDENTITY, Activation.TANH, Activation.SIGMOID,
            Activation.RELU};
    static final double TOLERANCE = 1e-5;

    /**
     * One random network: {@code bias} false gives the recurrent layers a bias held at zero (rnnlab's
     * way for seeds 000 and 002; SimpleRnn has no hasBias) and the feed-forward layers hasBias(false).
     */
    record Case(String name, MultiLayerConfiguration configuration, boolean bias, boolean oneHot, int minibatch,
            boolean lastTimeStep, int inputs, int outputs) {
        Case(String name, MultiLayerConfiguration configuration, boolean bias, boolean oneHot, int minibatch,
                boolean lastTimeStep) {
            this(name, configuration, bias, oneHot, minibatch, lastTimeStep, SYMBOLS, OUTPUTS);
        }

        @Override
        public String toString() {
            return name + (bias ? "" : ", no bias") + (oneHot ? ", one-hot" : ", dense") + ", minibatch " + minibatch;
        }
    }

    static NeuralNetConfiguration.ListBuilder list(long seed) {
        return new NeuralNetConfiguration.Builder().seed(seed).dataType(DataType.FLOAT).list();
    }

    /** 1-3 stacked SimpleRnn layers and an RnnOutputLayer, every activation, both implementations. */
    static Stream<Case> stacks() {
        List<Case> cases = new ArrayList<>();
        int c = 0;
        for (int layers = 1; layers <= 3; layers++) {
            for (int variant = 0; variant < 8; variant++, c++) {
                boolean bias = (variant & 1) == 0;
                boolean oneHot = (variant & 2) == 0;
                int minibatch = (variant & 4) == 0 ? 1 : 3;
                LayerImplementation implementation = LayerImplementation.values()[c % 2];
                Activation output = OUTPUT[c % OUTPUT.length];
                NeuralNetConfiguration.ListBuilder list = list(c);
                StringBuilder name = new StringBuilder(implementation + ":");
                for (int l = 0; l < layers; l++) {
                    Activation activation = RECURRENT[(c + l) % RECURRENT.length];
                    list.layer(implementation.simpleRnn().nOut(HIDDEN[l]).activation(activation).build());
                    name.append(" rnn ").append(activation);
                }
                // RnnOutputLayer.hasBias(false) fails in DL4J 1.0.0-M2.1's rnnTimeStep: hold its bias at zero instead
                list.layer(implementation.rnnOutput(LossFunction.MSE).nOut(OUTPUTS).activation(output).build());
                name.append(", rnn-output ").append(output);
                cases.add(new Case(name.toString(), list.setInputType(InputType.recurrent(SYMBOLS)).build(), bias, oneHot,
                        minibatch, false));
            }
        }
        return cases.stream();
    }

    /** Dense and output layers around the recurrent ones, and LastTimeStep. */
    static Stream<Case> mixed() {
        List<Case> cases = new ArrayList<>();
        for (int variant = 0; variant < 8; variant++) {
            boolean bias = (variant & 1) == 0;
            boolean oneHot = (variant & 2) == 0;
            int minibatch = (variant & 4) == 0 ? 1 : 2;
            Activation dense = OUTPUT[variant % OUTPUT.length];
            Activation output = OUTPUT[(variant + 2) % OUTPUT.length];
            cases.add(new Case("rnn, dense " + dense + ", rnn-output " + output, list(variant)
                    .layer(new SimpleRnn.Builder().nOut(HIDDEN[0]).activation(Activation.TANH).build())
                    .layer(new DenseLayer.Builder().nOut(HIDDEN[1]).activation(dense).hasBias(bias).build())
                    .layer(LayerImplementation.FAST.rnnOutput(LossFunction.MSE).nOut(OUTPUTS).activation(output).build())
                    .setInputType(InputType.recurrent(SYMBOLS)).build(), bias, oneHot, minibatch, false));
            cases.add(new Case("dense " + dense + ", rnn, output " + output, list(variant)
                    .layer(new DenseLayer.Builder().nOut(HIDDEN[1]).activation(dense).hasBias(bias).build())
                    .layer(new SimpleRnn.Builder().nOut(HIDDEN[0]).activation(Activation.SIGMOID).build())
                    .layer(new OutputLayer.Builder(LossFunction.MSE).nOut(OUTPUTS).activation(output).hasBias(bias).build())
                    .setInputType(InputType.recurrent(SYMBOLS)).build(), bias, oneHot, minibatch, false));
            cases.add(new Case("rnn, last-step rnn, dense " + dense + ", output " + output, list(variant)
                    .layer(LayerImplementation.FAST.simpleRnn().nOut(HIDDEN[0]).activation(Activation.TANH).build())
                    .layer(new LastTimeStep(new SimpleRnn.Builder().nOut(HIDDEN[2]).activation(Activation.IDENTITY).build()))
                    .layer(new DenseLayer.Builder().nOut(HIDDEN[1]).activation(dense).hasBias(bias).build())
                    .layer(new OutputLayer.Builder(LossFunction.MSE).nOut(OUTPUTS).activation(output).hasBias(bias).build())
                    .setInputType(InputType.recurrent(SYMBOLS)).build(), bias, oneHot, minibatch, true));
        }
        for (int minibatch = 1; minibatch <= 2; minibatch++) { // count-up's shape: one input, one output
            cases.add(new Case("rnn 1 -> 4 identity, rnn-output 1 identity", list(minibatch)
                    .layer(LayerImplementation.FAST.simpleRnn().nOut(4).activation(Activation.IDENTITY).build())
                    .layer(LayerImplementation.FAST.rnnOutput(LossFunction.MSE).nOut(1).activation(Activation.IDENTITY).build())
                    .setInputType(InputType.recurrent(1)).build(), true, false, minibatch, false, 1, 1));
        }
        return cases.stream();
    }

    /**
     * LSTM and Gru (both forms) of both implementations, alone, stacked with each other and with a
     * SimpleRnn, with tanh, sigmoid and identity as φ, and under LastTimeStep.
     */
    static Stream<Case> gated() {
        List<Case> cases = new ArrayList<>();
        int c = 0;
        for (LayerImplementation implementation : LayerImplementation.values()) {
            for (int variant = 0; variant < 8; variant++, c++) {
                boolean oneHot = (variant & 1) == 0;
                int minibatch = (variant & 2) == 0 ? 1 : 3;
                Activation phi = RECURRENT[c % RECURRENT.length];
                Layer lstm = implementation.lstm().nOut(HIDDEN[0]).activation(phi).build();
                Layer after = implementation.gru().resetAfter(true).nOut(HIDDEN[1]).activation(phi).build();
                Layer before = implementation.gru().resetAfter(false).nOut(HIDDEN[1]).activation(Activation.TANH).build();
                NeuralNetConfiguration.ListBuilder list = list(c);
                String name = implementation + ": ";
                switch (variant / 2) {
                    case 0 -> {
                        list.layer(lstm);
                        name += "lstm " + phi;
                    }
                    case 1 -> {
                        list.layer(after);
                        name += "gru (reset after) " + phi;
                    }
                    case 2 -> {
                        list.layer(before);
                        name += "gru (reset before)";
                    }
                    default -> {
                        list.layer(lstm).layer(implementation.simpleRnn().nOut(HIDDEN[2]).activation(Activation.TANH)
                                .build()).layer(after);
                        name += "lstm " + phi + ", rnn, gru " + phi;
                    }
                }
                list.layer(implementation.rnnOutput(LossFunction.MSE).nOut(OUTPUTS).activation(Activation.SOFTMAX).build());
                cases.add(new Case(name + ", rnn-output softmax", list.setInputType(InputType.recurrent(SYMBOLS)).build(),
                        true, oneHot, minibatch, false));
            }
        }
        for (int variant = 0; variant < 2; variant++) {
            Layer inner = variant == 0 ? LayerImplementation.FAST.lstm().nOut(HIDDEN[0]).activation(Activation.TANH).build()
                    : LayerImplementation.FAST.gru().nOut(HIDDEN[0]).activation(Activation.TANH).build();
            cases.add(new Case("last-step " + (variant == 0 ? "lstm" : "gru") + ", output identity", list(variant)
                    .layer(new LastTimeStep(inner))
                    .layer(new OutputLayer.Builder(LossFunction.MSE).nOut(OUTPUTS).activation(Activation.IDENTITY).build())
                    .setInputType(InputType.recurrent(SYMBOLS)).build(), true, variant == 0, 2, true));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource({"stacks", "mixed", "gated"})
    void stepsEqualDl4jAcrossCallsAndClears(Case c) {
        MultiLayerNetwork network = new MultiLayerNetwork(c.configuration());
        network.init();
        randomise(network, c.bias(), new Random(c.name().hashCode()));
        StepNetwork steps = StepNetwork.of(network);
        Random inputs = new Random(5);
        compare(network, steps, c, c.minibatch(), 30, inputs);
        // a new sequence, and a new minibatch size, after clearing both
        network.rnnClearPreviousState();
        steps.clear();
        compare(network, steps, c, c.minibatch() + 1, 12, inputs);
    }

    private static void compare(MultiLayerNetwork network, StepNetwork steps, Case c, int n, int length, Random random) {
        List<INDArray> sequence = new ArrayList<>();
        for (int t = 0; t < length; t++) {
            INDArray x = Nd4j.zeros(DataType.FLOAT, n, c.inputs(), 1);
            float[] actual;
            if (c.oneHot()) {
                int[] symbols = new int[n];
                for (int r = 0; r < n; r++) {
                    symbols[r] = random.nextInt(c.inputs());
                    x.putScalar(new long[] {r, symbols[r], 0}, 1.0);
                }
                actual = n == 1 ? steps.step(symbols[0]) : steps.step(symbols);
            } else {
                float[] rows = new float[n * c.inputs()];
                for (int i = 0; i < rows.length; i++) {
                    rows[i] = (float) random.nextGaussian();
                    x.putScalar(new long[] {i / c.inputs(), i % c.inputs(), 0}, rows[i]);
                }
                actual = steps.step(rows);
            }
            sequence.add(x);
            INDArray expected;
            if (c.lastTimeStep()) { // DL4J's rnnTimeStep fails here: the whole sequence so far through output()
                expected = network.output(Nd4j.concat(2, sequence.toArray(INDArray[]::new)));
            } else {
                expected = network.rnnTimeStep(x);
            }
            expected = expected.rank() == 3 ? expected.get(all(), all(), interval(0, 1)).reshape(n, c.outputs()) : expected;
            assertEquals(n * c.outputs(), actual.length);
            for (int r = 0; r < n; r++) {
                for (int j = 0; j < c.outputs(); j++) {
                    double want = expected.getDouble(r, j);
                    double got = actual[r * c.outputs() + j];
                    assertTrue(Math.abs(want - got) <= TOLERANCE, c + ": step " + t + ", row " + r + ", output " + j
                            + ": DL4J " + want + ", StepNetwork " + got);
                }
            }
        }
    }

    /** Weights of about unit gain (so that identity layers neither vanish nor explode over the steps), random biases. */
    static void randomise(MultiLayerNetwork network, boolean bias, Random random) {
        network.paramTable().forEach((key, parameter) -> {
            boolean isBias = key.endsWith("_b") || key.endsWith("_RB");
            double scale = isBias ? (bias ? 0.5 : 0) : (key.endsWith("_RW") ? 0.8 : 1.2) / Math.sqrt(parameter.size(0));
            float[] values = new float[(int) parameter.length()];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) (random.nextGaussian() * scale);
            }
            parameter.assign(Nd4j.create(values, parameter.shape(), 'c'));
        });
    }

    private static MultiLayerNetwork charRnn() {
        MultiLayerNetwork network = new MultiLayerNetwork(list(1)
                .layer(LayerImplementation.FAST.simpleRnn().nOut(HIDDEN[0]).activation(Activation.TANH).build())
                .layer(LayerImplementation.FAST.rnnOutput(LossFunction.MCXENT).nOut(SYMBOLS).activation(Activation.SOFTMAX)
                        .build())
                .setInputType(InputType.recurrent(SYMBOLS)).build());
        network.init();
        randomise(network, true, new Random(2));
        return network;
    }

    @Test
    void preOutputStepGivesTheLogitsOfTheSameStep() {
        MultiLayerNetwork network = charRnn();
        StepNetwork a = StepNetwork.of(network);
        StepNetwork b = StepNetwork.of(network);
        assertTrue(a.softmaxOutput());
        int[] text = {3, 1, 4, 1, 5, 2, 6, 5, 3, 5};
        for (int symbol : text) {
            float[] p = a.step(symbol).clone();
            float[] z = b.preOutputStep(symbol);
            double max = Double.NEGATIVE_INFINITY;
            for (float v : z) {
                max = Math.max(max, v);
            }
            double sum = 0;
            for (float v : z) {
                sum += Math.exp(v - max);
            }
            for (int j = 0; j < SYMBOLS; j++) {
                assertEquals(Math.exp(z[j] - max) / sum, p[j], 1e-6);
            }
        }
    }

    @Test
    void aChangedMinibatchNeedsAClearAndSymbolsMustBeInRange() {
        StepNetwork steps = StepNetwork.of(charRnn());
        steps.step(new int[] {1, 2});
        assertThrows(IllegalStateException.class, () -> steps.step(1));
        steps.clear();
        assertEquals(SYMBOLS, steps.step(1).length);
        assertThrows(IllegalArgumentException.class, () -> steps.step(SYMBOLS));
        assertThrows(IllegalArgumentException.class, () -> steps.step(new float[SYMBOLS + 1]));
    }

    @Test
    void theCopyKeepsTheWeightsItWasMadeWith() {
        MultiLayerNetwork network = charRnn();
        StepNetwork steps = StepNetwork.of(network);
        float[] before = steps.step(2).clone();
        network.params().muli(2);
        steps.clear();
        float[] after = steps.step(2);
        for (int j = 0; j < SYMBOLS; j++) {
            assertEquals(before[j], after[j]);
        }
    }

    private static void assertRefused(MultiLayerConfiguration configuration, String because) {
        MultiLayerNetwork network = new MultiLayerNetwork(configuration);
        network.init();
        UnsupportedNetworkException e = assertThrows(UnsupportedNetworkException.class, () -> StepNetwork.of(network));
        assertTrue(e.getMessage().contains(because), e.getMessage());
    }

    @Test
    void refusesWhatItDoesNotCompute() {
        assertRefused(list(1).layer(new GravesLSTM.Builder().nOut(4).build())
                .layer(LayerImplementation.DL4J.rnnOutput(LossFunction.MSE).nOut(2).activation(Activation.IDENTITY).build())
                .setInputType(InputType.recurrent(3)).build(), "GravesLSTM");
        assertRefused(list(1).layer(new LastTimeStep(new GravesLSTM.Builder().nOut(4).build()))
                .layer(new OutputLayer.Builder(LossFunction.MSE).nOut(2).activation(Activation.IDENTITY).build())
                .setInputType(InputType.recurrent(3)).build(), "LastTimeStep(GravesLSTM)");
        assertRefused(list(1).layer(new LSTM.Builder().nOut(4).gateActivationFunction(Activation.HARDSIGMOID).build())
                .layer(LayerImplementation.DL4J.rnnOutput(LossFunction.MSE).nOut(2).activation(Activation.IDENTITY).build())
                .setInputType(InputType.recurrent(3)).build(), "gate activation");
        assertRefused(list(1).layer(new LSTM.Builder().nOut(4).activation(Activation.SOFTMAX).build())
                .layer(LayerImplementation.DL4J.rnnOutput(LossFunction.MSE).nOut(2).activation(Activation.IDENTITY).build())
                .setInputType(InputType.recurrent(3)).build(), "softmax");
        assertRefused(list(1).layer(new SimpleRnn.Builder().nOut(4).hasLayerNorm(true).build())
                .layer(LayerImplementation.DL4J.rnnOutput(LossFunction.MSE).nOut(2).activation(Activation.IDENTITY).build())
                .setInputType(InputType.recurrent(3)).build(), "layer normalisation");
        assertRefused(list(1).layer(new SimpleRnn.Builder().nOut(4).activation(Activation.LEAKYRELU).build())
                .layer(LayerImplementation.DL4J.rnnOutput(LossFunction.MSE).nOut(2).activation(Activation.IDENTITY).build())
                .setInputType(InputType.recurrent(3)).build(), "activation");
        assertRefused(list(1).layer(new SimpleRnn.Builder().nOut(4).build())
                .layer(new DropoutLayer.Builder(0.5).build())
                .layer(LayerImplementation.DL4J.rnnOutput(LossFunction.MSE).nOut(2).activation(Activation.IDENTITY).build())
                .setInputType(InputType.recurrent(3)).build(), "DropoutLayer");
        assertRefused(new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE).list()
                .layer(new SimpleRnn.Builder().nOut(4).build())
                .layer(LayerImplementation.DL4J.rnnOutput(LossFunction.MSE).nOut(2).activation(Activation.IDENTITY).build())
                .setInputType(InputType.recurrent(3)).build(), "float");
    }

    @Test
    void dropoutIsInactiveAtInferenceAsInDl4j() {
        MultiLayerNetwork network = new MultiLayerNetwork(list(1)
                .layer(new SimpleRnn.Builder().nOut(HIDDEN[0]).activation(Activation.TANH).dropOut(0.5).build())
                .layer(LayerImplementation.DL4J.rnnOutput(LossFunction.MCXENT).nOut(OUTPUTS).activation(Activation.SOFTMAX)
                        .dropOut(0.5).build())
                .setInputType(InputType.recurrent(SYMBOLS)).build());
        network.init();
        randomise(network, true, new Random(3));
        compare(network, StepNetwork.of(network), new Case("dropout", null, true, true, 1, false), 1, 10, new Random(4));
    }
}
