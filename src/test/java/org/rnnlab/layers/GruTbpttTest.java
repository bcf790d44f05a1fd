package org.rnnlab.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Random;
import org.deeplearning4j.nn.api.layers.RecurrentLayer;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/** Gru under truncated BPTT: gradients from a carried state, and training that learns. */
class GruTbpttTest {

    private static MultiLayerNetwork network(boolean resetAfter, DataType dataType, IUpdater updater, int nIn, int units,
            int forward, int backward, long seed) {
        MultiLayerNetwork network = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(seed).dataType(dataType)
                .updater(updater).list()
                .layer(new Gru.Builder().nOut(units).resetAfter(resetAfter).build())
                .layer(new RnnOutputLayer.Builder(LossFunction.MSE).nOut(1).activation(Activation.IDENTITY).build())
                .setInputType(InputType.recurrent(nIn)).backpropType(BackpropType.TruncatedBPTT)
                .tBPTTForwardLength(forward).tBPTTBackwardLength(backward).build());
        network.init();
        return network;
    }

    /** Score and gradient of one segment whose forward pass starts from {@code state}. */
    private static double scoreFrom(MultiLayerNetwork network, INDArray state, INDArray x, INDArray y) {
        ((RecurrentLayer) network.getLayer(0)).rnnSetTBPTTState(Map.of(GruLayer.STATE_KEY_PREV_ACTIVATION, state.dup()));
        network.setInput(x);
        network.setLabels(y);
        network.computeGradientAndScore();
        return network.score();
    }

    /**
     * With a state carried in from an earlier segment, the backward pass is the gradient of the
     * forward pass that was scored, the one from the carried state: central differences of that score
     * agree with it, element by element, and it differs from the gradient from a zero state.
     */
    @ParameterizedTest(name = "resetAfter {0}")
    @ValueSource(booleans = {false, true})
    void theSegmentGradientIsThatOfTheForwardPassFromTheCarriedState(boolean resetAfter) {
        int minibatch = 3;
        int steps = 4;
        MultiLayerNetwork network = network(resetAfter, DataType.DOUBLE, new NoOp(), 2, 3, steps, steps, 1);
        Nd4j.getRandom().setSeed(2);
        INDArray params = network.params();
        params.assign(Nd4j.rand(DataType.DOUBLE, params.shape()).subi(0.5).muli(2));
        INDArray x = Nd4j.rand(DataType.DOUBLE, minibatch, 2, steps).subi(0.5);
        INDArray y = Nd4j.rand(DataType.DOUBLE, minibatch, 1, steps).subi(0.5);
        INDArray carried = Nd4j.rand(DataType.DOUBLE, minibatch, 3).subi(0.5).muli(1.6);

        scoreFrom(network, carried, x, y);
        INDArray analytic = network.gradient().gradient().dup();
        scoreFrom(network, Nd4j.zeros(DataType.DOUBLE, minibatch, 3), x, y);
        INDArray fromZero = network.gradient().gradient().dup();
        assertTrue(analytic.sub(fromZero).amaxNumber().doubleValue() > 1e-3, "the carried state must matter");

        double epsilon = 1e-6;
        double worst = 0;
        for (int i = 0; i < params.length(); i++) {
            double original = params.getDouble(i);
            params.putScalar(i, original + epsilon);
            double plus = scoreFrom(network, carried, x, y);
            params.putScalar(i, original - epsilon);
            double minus = scoreFrom(network, carried, x, y);
            params.putScalar(i, original);
            // DL4J's gradient is of the loss summed over the minibatch, its score the mean
            double numeric = minibatch * (plus - minus) / (2 * epsilon);
            double a = analytic.getDouble(i);
            double error = Math.abs(a - numeric) / Math.max(1e-6, Math.max(Math.abs(a), Math.abs(numeric)));
            worst = Math.max(worst, error);
        }
        assertTrue(worst < 1e-5, "largest relative error " + worst);
    }

    /**
     * The next output is the input two steps back, x_{t-2}: it needs the state, across segment
     * boundaries too. Twenty fit() calls with tBPTT (segments of 6 steps, gradients over the last 4)
     * take the score below 5% of where it started (measured: under 1%).
     */
    @ParameterizedTest(name = "resetAfter {0}")
    @ValueSource(booleans = {false, true})
    void truncatedBpttTrainingLearnsADelayedEcho(boolean resetAfter) {
        int minibatch = 16;
        int steps = 24;
        Random random = new Random(3);
        INDArray x = Nd4j.zeros(DataType.FLOAT, minibatch, 1, steps);
        INDArray y = Nd4j.zeros(DataType.FLOAT, minibatch, 1, steps);
        for (int e = 0; e < minibatch; e++) {
            for (int t = 0; t < steps; t++) {
                double v = random.nextBoolean() ? 1 : -1;
                x.putScalar(new long[] {e, 0, t}, v);
                if (t + 2 < steps) {
                    y.putScalar(new long[] {e, 0, t + 2}, v);
                }
            }
        }
        DataSet data = new DataSet(x, y);
        MultiLayerNetwork network = network(resetAfter, DataType.FLOAT, new Adam(0.03), 1, 8, 6, 4, 4);
        double before = network.score(data);
        for (int i = 0; i < 20; i++) {
            network.fit(data);
        }
        double after = network.score(data);
        assertTrue(after < 0.05 * before, "score " + before + " -> " + after);
        assertEquals(DataType.FLOAT, network.params().dataType());
    }
}
