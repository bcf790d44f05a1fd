package org.rnnlab.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import java.io.File;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.rnnlab.reference.Dl4jMapping;
import org.rnnlab.reference.GradientCheck;
import org.rnnlab.reference.ReferenceRnn;

/**
 * rnnlab's fast layers against DL4J's and the reference RNN (the random architectures of
 * RandomArchitecturesTest check them with finite differences too).
 */
class FastLayersTest {
    private static final int IN = 6;
    private static final int UNITS = 5;
    private static final int CLASSES = 4;
    private static final int MINIBATCH = 3;
    private static final int STEPS = 4;

    /** A small char-rnn: tanh SimpleRnn, softmax output, truncated BPTT carrying the state. */
    private static MultiLayerNetwork network(LayerImplementation implementation, DataType dataType) {
        MultiLayerConfiguration configuration = new NeuralNetConfiguration.Builder().seed(3).updater(new NoOp())
                .dataType(dataType).list()
                .layer(implementation.simpleRnn().nOut(UNITS).activation(Activation.TANH).build())
                .layer(implementation.rnnOutput(LossFunction.MCXENT).nOut(CLASSES).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.recurrent(IN)).backpropType(BackpropType.TruncatedBPTT)
                .tBPTTForwardLength(STEPS).tBPTTBackwardLength(STEPS).build();
        MultiLayerNetwork network = new MultiLayerNetwork(configuration);
        network.init();
        return network;
    }

    private static ReferenceRnn randomReference(MultiLayerNetwork network, long seed) {
        ReferenceRnn reference = Dl4jMapping.architecture(network.getLayerWiseConfigurations());
        reference.randomize(new Random(seed), GradientCheck.WEIGHT_SCALE);
        Dl4jMapping.copyParameters(reference, network);
        return reference;
    }

    private static ReferenceRnn.Batch randomBatch(ReferenceRnn reference, Random random) {
        return GradientCheck.randomBatch(reference, GradientCheck.Labels.EVERY_STEP, MINIBATCH, STEPS, random);
    }

    /** Scores and gradients of the second of two chunks of the same streams, the state carried from the first. */
    private record SecondChunk(double score, Map<String, double[]> gradients, double[][][] carriedState) {
    }

    /** Two random chunks through a DOUBLE network of the given layers; the reference holds the same weights. */
    private record TwoChunks(ReferenceRnn reference, ReferenceRnn.Batch second, SecondChunk dl4j) {
        static TwoChunks run(LayerImplementation implementation) {
            MultiLayerNetwork network = network(implementation, DataType.DOUBLE);
            ReferenceRnn reference = randomReference(network, 11);
            Random random = new Random(5);
            ReferenceRnn.Batch first = randomBatch(reference, random);
            ReferenceRnn.Batch second = randomBatch(reference, random);
            return new TwoChunks(reference, second, secondChunk(network, first, second));
        }
    }

    private static SecondChunk secondChunk(MultiLayerNetwork network, ReferenceRnn.Batch first, ReferenceRnn.Batch second) {
        Dl4jMapping.scoreAndGradients(network, first, false);
        network.updateRnnStateWithTBPTTState();
        INDArray state = network.rnnGetPreviousState(0).get(org.deeplearning4j.nn.layers.recurrent.SimpleRnn.STATE_KEY_PREV_ACTIVATION);
        double[][] rows = state.toDoubleMatrix();
        Dl4jMapping.Dl4jResult result = Dl4jMapping.scoreAndGradients(network, second, false);
        return new SecondChunk(result.score(), result.gradients(), new double[][][] {rows});
    }

    @Test
    void fastLayersCarryTheStateIntoTheBackwardPassLikeTheReference() {
        TwoChunks run = TwoChunks.run(LayerImplementation.FAST);
        SecondChunk fast = run.dl4j();
        assertTrue(maxAbs(fast.carriedState()[0]) > 0.05, "the first chunk must leave a non-zero state");

        ReferenceRnn.Result expected = run.reference().forwardBackward(run.second(), fast.carriedState());
        assertEquals(expected.score(), fast.score(), 1e-10);
        for (Map.Entry<String, double[]> gradient : expected.gradients().entrySet()) {
            double error = maxDifference(gradient.getValue(), fast.gradients().get(gradient.getKey()));
            assertTrue(error < 1e-10, gradient.getKey() + ": max difference " + error);
        }
    }

    /**
     * DL4J 1.0.0-M2.1's SimpleRnn scores the second chunk from the carried state, but its backward
     * pass recomputes the activations from a zero state, so its gradients belong to neither pass. If
     * this test fails, DL4J has fixed it and FastSimpleRnnLayer's note on it should go.
     */
    @Test
    void dl4jSimpleRnnComputesCarriedStateGradientsFromAZeroState() {
        TwoChunks run = TwoChunks.run(LayerImplementation.DL4J);
        SecondChunk stock = run.dl4j();

        ReferenceRnn.Result carried = run.reference().forwardBackward(run.second(), stock.carriedState());
        ReferenceRnn.Result zero = run.reference().forwardBackward(run.second());
        assertEquals(carried.score(), stock.score(), 1e-10, "the score uses the carried state");
        for (String name : new String[] {"0_W", "0_RW", "0_b"}) {
            assertTrue(maxDifference(carried.gradients().get(name), stock.gradients().get(name)) > 1e-4, name);
            assertTrue(maxDifference(zero.gradients().get(name), stock.gradients().get(name)) > 1e-4, name);
        }
    }

    @Test
    void fastAndDl4jLayersGiveTheSameOutputsAndGradientsInFloat() {
        MultiLayerNetwork fast = network(LayerImplementation.FAST, DataType.FLOAT);
        MultiLayerNetwork stock = network(LayerImplementation.DL4J, DataType.FLOAT);
        ReferenceRnn reference = randomReference(fast, 21);
        Dl4jMapping.copyParameters(reference, stock);
        ReferenceRnn.Batch batch = randomBatch(reference, new Random(8));
        Dl4jMapping.Dl4jResult a = Dl4jMapping.scoreAndGradients(fast, batch, false);
        Dl4jMapping.Dl4jResult b = Dl4jMapping.scoreAndGradients(stock, batch, false);
        assertEquals(b.score(), a.score(), 1e-5 * Math.abs(b.score()));
        for (String name : b.gradients().keySet()) {
            double error = maxDifference(b.gradients().get(name), a.gradients().get(name));
            assertTrue(error < 1e-5, name + ": max difference " + error);
        }
        double outputError = 0;
        for (int n = 0; n < MINIBATCH; n++) {
            for (int t = 0; t < STEPS; t++) {
                outputError = Math.max(outputError, maxDifference(a.outputs()[n][t], b.outputs()[n][t]));
            }
        }
        assertTrue(outputError < 1e-6, "outputs differ by " + outputError);
    }

    @Test
    void stepByStepOutputsEqualTheWholeSequence() {
        MultiLayerNetwork network = network(LayerImplementation.FAST, DataType.DOUBLE);
        randomReference(network, 4);
        INDArray sequence = Nd4j.rand(DataType.DOUBLE, MINIBATCH, IN, STEPS);
        INDArray whole = network.output(sequence);
        network.rnnClearPreviousState();
        for (int t = 0; t < STEPS; t++) {
            INDArray step = network.rnnTimeStep(sequence.get(all(), all(), interval(t, t + 1)));
            INDArray expected = whole.get(all(), all(), interval(t, t + 1));
            assertTrue(expected.equalsWithEps(step, 1e-12), "step " + t);
        }
    }

    @Test
    void jsonAndModelZipKeepTheFastLayers(@TempDir Path dir) throws Exception {
        MultiLayerNetwork network = network(LayerImplementation.FAST, DataType.FLOAT);
        MultiLayerConfiguration copy = MultiLayerConfiguration.fromJson(network.getLayerWiseConfigurations().toJson());
        assertEquals(network.getLayerWiseConfigurations(), copy);
        assertInstanceOf(FastSimpleRnn.class, copy.getConf(0).getLayer());
        assertInstanceOf(FastRnnOutputLayer.class, copy.getConf(1).getLayer());

        File zip = dir.resolve("model.zip").toFile();
        ModelSerializer.writeModel(network, zip, true);
        MultiLayerNetwork loaded = ModelSerializer.restoreMultiLayerNetwork(zip, true);
        assertInstanceOf(FastSimpleRnnLayer.class, loaded.getLayer(0));
        assertInstanceOf(FastRnnOutputLayerImpl.class, loaded.getLayer(1));
        INDArray input = Nd4j.rand(DataType.FLOAT, 2, IN, 3);
        assertEquals(network.output(input), loaded.output(input));
    }

    @Test
    void aFastConfigurationIsNotEqualToTheDl4jOne() {
        assertTrue(!network(LayerImplementation.FAST, DataType.FLOAT).getLayerWiseConfigurations()
                .equals(network(LayerImplementation.DL4J, DataType.FLOAT).getLayerWiseConfigurations()));
    }

    private static double maxDifference(double[] a, double[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    private static double maxAbs(double[][] values) {
        double max = 0;
        for (double[] row : values) {
            for (double v : row) {
                max = Math.max(max, Math.abs(v));
            }
        }
        return max;
    }
}
