package org.rnnlab.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

import java.util.Random;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/**
 * Gru's forward pass against the equations computed in plain Java (double[] arithmetic, no ND4J),
 * written out below from Gru's class comment: outputs, step-by-step inference, masks, FLOAT.
 */
class GruForwardTest {
    private static final int IN = 2;
    private static final int UNITS = 3;
    private static final int OUT = 2;
    private static final int MINIBATCH = 2;
    private static final int STEPS = 3;

    /** Gru(2 -> 3) and an identity RnnOutputLayer(3 -> 2), weights drawn from [-1, 1]. */
    private static MultiLayerNetwork network(boolean resetAfter, DataType dataType, RNNFormat format, long seed) {
        MultiLayerNetwork network = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(seed).dataType(dataType)
                .list()
                .layer(new Gru.Builder().nOut(UNITS).resetAfter(resetAfter).dataFormat(format).build())
                .layer(new RnnOutputLayer.Builder(LossFunction.MSE).nOut(OUT).activation(Activation.IDENTITY)
                        .dataFormat(format).build())
                .setInputType(InputType.recurrent(IN, format)).build());
        network.init();
        Random random = new Random(seed);
        INDArray params = network.params();
        double[] values = new double[(int) params.length()];
        for (int i = 0; i < values.length; i++) {
            values[i] = 2 * random.nextDouble() - 1;
        }
        params.assign(Nd4j.create(values, params.shape(), 'c').castTo(dataType));
        return network;
    }

    /** x[example][step][feature] in [-1, 1]. */
    private static double[][][] randomSequences(int minibatch, int steps, long seed) {
        Random random = new Random(seed);
        double[][][] x = new double[minibatch][steps][IN];
        for (double[][] example : x) {
            for (double[] step : example) {
                for (int i = 0; i < IN; i++) {
                    step[i] = 2 * random.nextDouble() - 1;
                }
            }
        }
        return x;
    }

    /** The [minibatch, features, steps] (NCW) array of x. */
    private static INDArray ncw(double[][][] x, DataType dataType) {
        INDArray array = Nd4j.create(DataType.DOUBLE, x.length, x[0][0].length, x[0].length);
        for (int e = 0; e < x.length; e++) {
            for (int t = 0; t < x[e].length; t++) {
                for (int i = 0; i < x[e][t].length; i++) {
                    array.putScalar(new long[] {e, i, t}, x[e][t][i]);
                }
            }
        }
        return array.castTo(dataType);
    }

    // ---- The reference: the equations, one scalar at a time

    private static double sigmoid(double v) {
        return 1 / (1 + Math.exp(-v));
    }

    /** The Gru's parameters as plain arrays: w[f][3u], rw[u][3u], b[3u], rb[3u] (zeros without resetAfter). */
    private record Weights(double[][] w, double[][] rw, double[] b, double[] rb, boolean resetAfter) {
        static Weights of(MultiLayerNetwork network, boolean resetAfter) {
            return new Weights(network.getParam("0_W").toDoubleMatrix(), network.getParam("0_RW").toDoubleMatrix(),
                    network.getParam("0_b").toDoubleVector(),
                    resetAfter ? network.getParam("0_RB").toDoubleVector() : new double[3 * UNITS], resetAfter);
        }

        /** One step: h_t from x_t and h_{t-1}. */
        double[] step(double[] x, double[] h) {
            int u = h.length;
            double[] gx = new double[3 * u]; // x W + b
            double[] gh = new double[3 * u]; // h U + rb
            for (int j = 0; j < 3 * u; j++) {
                gx[j] = b[j];
                for (int i = 0; i < x.length; i++) {
                    gx[j] += x[i] * w[i][j];
                }
                gh[j] = rb[j];
                for (int k = 0; k < u; k++) {
                    gh[j] += h[k] * rw[k][j];
                }
            }
            double[] z = new double[u];
            double[] r = new double[u];
            for (int j = 0; j < u; j++) {
                z[j] = sigmoid(gx[j] + gh[j]);
                r[j] = sigmoid(gx[u + j] + gh[u + j]);
            }
            double[] next = new double[u];
            for (int j = 0; j < u; j++) {
                double candidate;
                if (resetAfter) {
                    candidate = Math.tanh(gx[2 * u + j] + r[j] * gh[2 * u + j]);
                } else {
                    double sum = gx[2 * u + j];
                    for (int k = 0; k < u; k++) {
                        sum += r[k] * h[k] * rw[k][2 * u + j];
                    }
                    candidate = Math.tanh(sum);
                }
                next[j] = z[j] * h[j] + (1 - z[j]) * candidate;
            }
            return next;
        }

        /** h[example][step][unit] over whole sequences from a zero state; mask null or [example][step]. */
        double[][][] run(double[][][] x, double[][] mask) {
            double[][][] out = new double[x.length][x[0].length][];
            for (int e = 0; e < x.length; e++) {
                double[] h = new double[UNITS];
                for (int t = 0; t < x[e].length; t++) {
                    h = step(x[e][t], h);
                    if (mask != null) {
                        for (int j = 0; j < UNITS; j++) {
                            h[j] *= mask[e][t];
                        }
                    }
                    out[e][t] = h;
                }
            }
            return out;
        }
    }

    /** The identity output layer: y = h Wout + bout. */
    private static double[][][] outputs(MultiLayerNetwork network, double[][][] h) {
        double[][] w = network.getParam("1_W").toDoubleMatrix();
        double[] b = network.getParam("1_b").toDoubleVector();
        double[][][] y = new double[h.length][h[0].length][OUT];
        for (int e = 0; e < h.length; e++) {
            for (int t = 0; t < h[e].length; t++) {
                for (int k = 0; k < OUT; k++) {
                    y[e][t][k] = b[k];
                    for (int j = 0; j < UNITS; j++) {
                        y[e][t][k] += h[e][t][j] * w[j][k];
                    }
                }
            }
        }
        return y;
    }

    /** The largest |expected - actual| over an NCW array [example, n, step]. */
    private static double maxDifference(double[][][] expected, INDArray actual) {
        double max = 0;
        for (int e = 0; e < expected.length; e++) {
            for (int t = 0; t < expected[e].length; t++) {
                for (int k = 0; k < expected[e][t].length; k++) {
                    max = Math.max(max, Math.abs(expected[e][t][k] - actual.getDouble(e, k, t)));
                }
            }
        }
        return max;
    }

    @ParameterizedTest(name = "resetAfter {0}")
    @ValueSource(booleans = {false, true})
    void networkOutputEqualsTheEquationsInDouble(boolean resetAfter) {
        MultiLayerNetwork network = network(resetAfter, DataType.DOUBLE, RNNFormat.NCW, 7);
        double[][][] x = randomSequences(MINIBATCH, STEPS, 8);
        double[][][] expected = outputs(network, Weights.of(network, resetAfter).run(x, null));
        INDArray actual = network.output(ncw(x, DataType.DOUBLE));
        double error = maxDifference(expected, actual);
        assertTrue(error < 1e-12, "max difference " + error);
        assertTrue(maxAbs(expected) > 0.1, "the example must not be trivially small");
    }

    @ParameterizedTest(name = "resetAfter {0}")
    @ValueSource(booleans = {false, true})
    void theTwoVariantsDifferOnTheSameWeights(boolean resetAfter) {
        MultiLayerNetwork network = network(resetAfter, DataType.DOUBLE, RNNFormat.NCW, 7);
        double[][][] x = randomSequences(MINIBATCH, STEPS, 8);
        Weights weights = Weights.of(network, resetAfter);
        Weights other = new Weights(weights.w(), weights.rw(), weights.b(), weights.rb(), !resetAfter);
        double[][][] expected = outputs(network, weights.run(x, null));
        double[][][] changed = outputs(network, other.run(x, null));
        double difference = 0;
        for (int e = 0; e < MINIBATCH; e++) {
            for (int t = 1; t < STEPS; t++) {
                for (int k = 0; k < OUT; k++) {
                    difference = Math.max(difference, Math.abs(expected[e][t][k] - changed[e][t][k]));
                }
            }
        }
        assertTrue(difference > 1e-3, "the reference's two variants must differ (" + difference + ")");
    }

    @ParameterizedTest(name = "resetAfter {0}")
    @ValueSource(booleans = {false, true})
    void stepByStepOutputsEqualTheWholeSequence(boolean resetAfter) {
        MultiLayerNetwork network = network(resetAfter, DataType.DOUBLE, RNNFormat.NCW, 3);
        int steps = 5;
        INDArray sequence = ncw(randomSequences(MINIBATCH, steps, 4), DataType.DOUBLE);
        INDArray whole = network.output(sequence);
        network.rnnClearPreviousState();
        for (int t = 0; t < steps; t++) {
            INDArray step = network.rnnTimeStep(sequence.get(all(), all(), interval(t, t + 1)));
            INDArray expected = whole.get(all(), all(), interval(t, t + 1));
            assertTrue(expected.equalsWithEps(step, 1e-12), "step " + t);
        }
        // Two steps at a time continue from the stored state just the same
        network.rnnClearPreviousState();
        network.rnnTimeStep(sequence.get(all(), all(), interval(0, 3)));
        INDArray rest = network.rnnTimeStep(sequence.get(all(), all(), interval(3, 5)));
        assertTrue(whole.get(all(), all(), interval(3, 5)).equalsWithEps(rest, 1e-12));
    }

    /**
     * A masked step outputs 0, and the next step starts from that 0: padding at the start is a fresh
     * start, padding in the middle resets the state (DL4J's LSTM does the same).
     */
    @ParameterizedTest(name = "resetAfter {0}")
    @ValueSource(booleans = {false, true})
    void aMaskedStepOutputsZeroAndTheNextStartsFromZero(boolean resetAfter) {
        MultiLayerNetwork network = network(resetAfter, DataType.DOUBLE, RNNFormat.NCW, 11);
        int steps = 4;
        double[][][] x = randomSequences(3, steps, 12);
        double[][] mask = {{1, 1, 1, 0}, {0, 0, 1, 1}, {1, 0, 1, 1}};
        double[][][] expected = Weights.of(network, resetAfter).run(x, mask);
        org.deeplearning4j.nn.api.Layer gru = network.getLayer(0);
        gru.setMaskArray(Nd4j.create(mask));
        INDArray actual = gru.activate(ncw(x, DataType.DOUBLE), false, LayerWorkspaceMgr.noWorkspaces());
        double error = maxDifference(expected, actual);
        assertTrue(error < 1e-12, "max difference " + error);
        assertEquals(0.0, actual.get(point(1), all(), interval(0, 2)).amaxNumber().doubleValue());
        // example 1 from step 2 on is the unpadded sequence x[1][2..3] from a zero state
        double[][][] tail = {{x[1][2], x[1][3]}};
        double[][][] fresh = Weights.of(network, resetAfter).run(tail, null);
        assertEquals(fresh[0][1][0], actual.getDouble(1, 0, 3), 1e-12);
    }

    /**
     * In a MultiLayerNetwork, Gru keeps the feature mask it is handed (as SimpleRnn does) and zeroes
     * masked steps; DL4J 1.0.0-M2.1's LSTM layer does not keep it (its feedForwardMaskArray passes
     * the mask on without storing it) and computes padded steps as data. If the LSTM half fails,
     * DL4J has changed that, and GruLayer's note on it should go.
     */
    @Test
    void inANetworkGruAppliesTheFeatureMaskWhereDl4jLstmDoesNot() {
        INDArray x = ncw(randomSequences(1, 4, 13), DataType.DOUBLE);
        INDArray mask = Nd4j.create(new double[][] {{0, 1, 0, 1}});
        MultiLayerNetwork gru = network(true, DataType.DOUBLE, RNNFormat.NCW, 14);
        MultiLayerNetwork lstm = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(14)
                .dataType(DataType.DOUBLE).list()
                .layer(new LSTM.Builder().nOut(UNITS).activation(Activation.TANH).build())
                .layer(new RnnOutputLayer.Builder(LossFunction.MSE).nOut(OUT).activation(Activation.IDENTITY).build())
                .setInputType(InputType.recurrent(IN)).build());
        lstm.init();
        for (MultiLayerNetwork network : new MultiLayerNetwork[] {gru, lstm}) {
            INDArray plain = network.feedForward(x, false).get(1);
            network.setLayerMaskArrays(mask, null);
            INDArray masked = network.feedForward(x, false).get(1);
            network.clearLayerMaskArrays();
            if (network == gru) {
                assertEquals(0.0, masked.get(all(), all(), point(2)).amaxNumber().doubleValue());
                assertTrue(plain.get(all(), all(), point(2)).amaxNumber().doubleValue() > 1e-3);
            } else {
                assertEquals(plain, masked, "DL4J's LSTM ignores the feature mask in a MultiLayerNetwork");
            }
        }
    }

    @ParameterizedTest(name = "resetAfter {0}")
    @ValueSource(booleans = {false, true})
    void aFloatNetworkComputesTheSameToFloatPrecision(boolean resetAfter) {
        MultiLayerNetwork network = network(resetAfter, DataType.FLOAT, RNNFormat.NCW, 5);
        double[][][] x = randomSequences(MINIBATCH, 6, 6);
        double[][][] expected = outputs(network, Weights.of(network, resetAfter).run(x, null));
        INDArray actual = network.output(ncw(x, DataType.FLOAT));
        assertEquals(DataType.FLOAT, actual.dataType());
        double error = maxDifference(expected, actual);
        assertTrue(error < 1e-5, "max difference " + error);
    }

    @ParameterizedTest(name = "resetAfter {0}")
    @ValueSource(booleans = {false, true})
    void channelsLastInputGivesTheSameOutputs(boolean resetAfter) {
        MultiLayerNetwork ncw = network(resetAfter, DataType.DOUBLE, RNNFormat.NCW, 9);
        MultiLayerNetwork nwc = network(resetAfter, DataType.DOUBLE, RNNFormat.NWC, 9);
        INDArray x = ncw(randomSequences(MINIBATCH, STEPS, 10), DataType.DOUBLE);
        INDArray expected = ncw.output(x);
        INDArray actual = nwc.output(x.permute(0, 2, 1).dup());
        assertTrue(expected.equalsWithEps(actual.permute(0, 2, 1), 1e-12));
    }

    private static double maxAbs(double[][][] values) {
        double max = 0;
        for (double[][] example : values) {
            for (double[] step : example) {
                for (double v : step) {
                    max = Math.max(max, Math.abs(v));
                }
            }
        }
        return max;
    }
}
