package org.rnnlab.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import java.util.Random;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.AdaGrad;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.rnnlab.nets.CarriedStateTrainer;

/**
 * The one-hot input path of {@link FastSimpleRnnLayer} (row look-ups in place of X W and X^T delta)
 * and its switch for the input gradient, against matrix products and DL4J's own SimpleRnn.
 */
class OneHotRowsTest {
    private static final int IN = 7;
    private static final int UNITS = 6;
    private static final int OUT = 7;

    /** [rows, width] with one 1 per row at a random column, except every fifth row, which is all zeros. */
    private static INDArray oneHot(int rows, int width, Random random) {
        INDArray x = Nd4j.zeros(DataType.FLOAT, rows, width);
        for (int r = 0; r < rows; r++) {
            if (r % 5 != 4) {
                x.putScalar(r, random.nextInt(width), 1.0);
            }
        }
        return x;
    }

    @Test
    void readAcceptsOneHotAndZeroRowsOnly() {
        Random random = new Random(1);
        OneHotRows rows = new OneHotRows();
        INDArray x = oneHot(20, IN, random);
        assertTrue(rows.read(x));
        assertTrue(rows.read(Nd4j.zeros(DataType.FLOAT, 3, IN)), "rows of zeros contribute nothing");

        INDArray twoOnes = x.dup();
        twoOnes.putScalar(3, 0, 1.0);
        twoOnes.putScalar(3, 1, 1.0);
        assertFalse(rows.read(twoOnes), "a row with two 1s");
        INDArray half = x.dup();
        half.putScalar(7, 2, 0.5);
        assertFalse(rows.read(half), "a value other than 0 and 1");
        assertFalse(rows.read(x.castTo(DataType.DOUBLE)), "doubles keep the products");
        assertFalse(rows.read(Nd4j.rand(DataType.FLOAT, 4, IN)), "a dense input");
    }

    @Test
    void lookUpsEqualTheProducts() {
        Random random = new Random(2);
        INDArray big = oneHot(30, IN, random);
        INDArray x = big.get(interval(10, 22), all()); // a view that starts inside its buffer
        INDArray w = Nd4j.rand(DataType.FLOAT, 'f', IN, UNITS).subi(0.5); // DL4J keeps W in 'f' order
        INDArray b = Nd4j.rand(DataType.FLOAT, 1, UNITS);
        OneHotRows rows = new OneHotRows();
        assertTrue(rows.read(x));

        INDArray z = Nd4j.zeros(DataType.FLOAT, 12, UNITS);
        rows.project(w, b, FloatActivations.buffer(z), UNITS);
        assertTrue(x.mmul(w).addiRowVector(b).equalsWithEps(z, 1e-6), "X W + b");

        INDArray delta = Nd4j.rand(DataType.FLOAT, 12, UNITS).subi(0.5);
        INDArray wg = Nd4j.create(DataType.FLOAT, new long[] {IN, UNITS}, 'f');
        INDArray bg = Nd4j.create(DataType.FLOAT, 1, UNITS);
        rows.gradients(FloatActivations.buffer(delta), wg, bg, UNITS);
        assertTrue(x.transpose().mmul(delta).equalsWithEps(wg, 1e-6), "X^T delta");
        assertTrue(delta.sum(true, 0).equalsWithEps(bg, 1e-6), "column sums of delta");
    }

    /** One-hot chunks through the fast float layer and DL4J's: the same outputs, score and gradients. */
    @Test
    void oneHotNetworkMatchesDl4jsSimpleRnn() {
        MultiLayerNetwork fast = network(LayerImplementation.FAST, new NoOp());
        MultiLayerNetwork stock = network(LayerImplementation.DL4J, new NoOp());
        stock.setParams(fast.params().dup());
        Random random = new Random(3);
        INDArray input = sequence(4, 9, random);
        INDArray labels = sequence(4, 9, random);

        assertTrue(stock.output(input).equalsWithEps(fast.output(input), 1e-6), "outputs");
        for (MultiLayerNetwork network : new MultiLayerNetwork[] {fast, stock}) {
            network.setInput(input);
            network.setLabels(labels);
            network.computeGradientAndScore();
        }
        assertEquals(stock.score(), fast.score(), 1e-6 * stock.score());
        INDArray expected = stock.gradient().gradient();
        double worst = Transforms.abs(fast.gradient().gradient().sub(expected), true).maxNumber().doubleValue();
        double largest = Transforms.abs(expected, true).maxNumber().doubleValue();
        assertTrue(worst < 1e-6 * largest, "gradients differ by " + worst + ", the largest is " + largest);
    }

    @Test
    void withoutTheInputGradientBackpropReturnsNullAndTheSameParameterGradients() {
        MultiLayerNetwork network = network(LayerImplementation.FAST, new NoOp());
        network.initGradientsView();
        FastSimpleRnnLayer layer = (FastSimpleRnnLayer) network.getLayer(0);
        INDArray input = sequence(3, 5, new Random(4));
        INDArray epsilon = Nd4j.rand(DataType.FLOAT, 3, UNITS, 5);

        Pair<Gradient, INDArray> full = backprop(layer, input, epsilon);
        assertNotNull(full.getSecond());
        assertArrayEquals(new long[] {3, IN, 5}, full.getSecond().shape());
        INDArray parameterGradients = full.getFirst().gradient().dup();

        layer.setInputGradientNeeded(false);
        Pair<Gradient, INDArray> without = backprop(layer, input, epsilon);
        layer.setInputGradientNeeded(true);
        assertNull(without.getSecond());
        assertEquals(parameterGradients, without.getFirst().gradient());
    }

    @Test
    void carriedStateTrainerSkipsTheInputGradientOnlyDuringItsStep() {
        MultiLayerNetwork fast = network(LayerImplementation.FAST, new AdaGrad(0.1));
        MultiLayerNetwork stock = network(LayerImplementation.DL4J, new AdaGrad(0.1));
        stock.setParams(fast.params().dup());
        CarriedStateTrainer fastTrainer = new CarriedStateTrainer(fast);
        CarriedStateTrainer stockTrainer = new CarriedStateTrainer(stock);
        Random random = new Random(5);
        for (int chunk = 0; chunk < 3; chunk++) {
            INDArray input = sequence(4, 5, random);
            INDArray labels = sequence(4, 5, random);
            // Chunk 0 starts from zeros in both; later ones carry the state, where DL4J's SimpleRnn
            // computes gradients from a zero state (see FastLayersTest), so compare the first only.
            double fastScore = fastTrainer.step(input, labels);
            double stockScore = stockTrainer.step(input, labels);
            if (chunk == 0) {
                assertEquals(stockScore, fastScore, 1e-6 * stockScore);
                assertTrue(stock.params().equalsWithEps(fast.params(), 1e-5), "the same update");
            }
        }
        INDArray epsilon = Nd4j.rand(DataType.FLOAT, 4, UNITS, 5);
        assertNotNull(backprop((FastSimpleRnnLayer) fast.getLayer(0), sequence(4, 5, random), epsilon).getSecond(),
                "after the step, the layer computes its input gradient again");
    }

    private static Pair<Gradient, INDArray> backprop(FastSimpleRnnLayer layer, INDArray input, INDArray epsilon) {
        LayerWorkspaceMgr workspaces = LayerWorkspaceMgr.noWorkspaces();
        layer.setInput(input, workspaces);
        layer.activate(true, workspaces);
        return layer.backpropGradient(epsilon, workspaces);
    }

    /** [streams, IN, steps] with one character per stream and step. */
    private static INDArray sequence(int streams, int steps, Random random) {
        INDArray x = Nd4j.zeros(DataType.FLOAT, streams, IN, steps);
        for (int s = 0; s < streams; s++) {
            for (int t = 0; t < steps; t++) {
                x.putScalar(new int[] {s, random.nextInt(IN), t}, 1.0);
            }
        }
        return x;
    }

    private static MultiLayerNetwork network(LayerImplementation implementation, org.nd4j.linalg.learning.config.IUpdater updater) {
        MultiLayerConfiguration configuration = new NeuralNetConfiguration.Builder().seed(7).updater(updater)
                .dataType(DataType.FLOAT).list()
                .layer(implementation.simpleRnn().nOut(UNITS).activation(Activation.TANH).build())
                .layer(implementation.rnnOutput(LossFunction.MCXENT).nOut(OUT).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.recurrent(IN)).backpropType(BackpropType.TruncatedBPTT)
                .tBPTTForwardLength(5).tBPTTBackwardLength(5).build();
        MultiLayerNetwork network = new MultiLayerNetwork(configuration);
        network.init();
        return network;
    }
}
