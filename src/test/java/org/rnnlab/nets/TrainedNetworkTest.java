package org.rnnlab.nets;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.preprocessor.NormalizerStandardize;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

class TrainedNetworkTest {

    /** A tanh network with a normalizer fitted on features and labels of rather large values. */
    private static TrainedNetwork model(DataSet data) {
        MultiLayerNetwork network = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(5).list()
                .layer(new SimpleRnn.Builder().nOut(3).activation(Activation.TANH).build())
                .layer(new RnnOutputLayer.Builder(LossFunction.MSE).nOut(1).activation(Activation.IDENTITY).build())
                .setInputType(InputType.recurrent(2)).build());
        network.init();
        NormalizerStandardize normalizer = new NormalizerStandardize();
        normalizer.fitLabel(true);
        normalizer.fit(data);
        return new TrainedNetwork(network, normalizer);
    }

    private static DataSet data() {
        Nd4j.getRandom().setSeed(17);
        return new DataSet(Nd4j.rand(DataType.FLOAT, 6, 2, 5).muli(50).addi(20),
                Nd4j.rand(DataType.FLOAT, 6, 1, 5).muli(30).subi(4));
    }

    @Test
    void timeStepOneStepAtATimeEqualsOutputOverTheWholeSequence() {
        DataSet data = data();
        TrainedNetwork model = model(data);
        INDArray features = data.getFeatures();
        INDArray whole = model.output(features);
        model.network().rnnClearPreviousState();
        for (int t = 0; t < 5; t++) {
            INDArray step = features.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(t, t + 1)).dup();
            INDArray stepOutput = model.timeStep(step);
            INDArray expected = whole.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(t, t + 1));
            assertEquals(0.0, stepOutput.sub(expected).amaxNumber().doubleValue(), 1e-4, "step " + t);
        }
        model.network().rnnClearPreviousState();
    }

    @Test
    void scoreIsTheNetworksLossOnNormalizedData() {
        DataSet data = data();
        TrainedNetwork model = model(data);
        DataSet normalized = data.copy();
        model.normalizer().transform(normalized);
        assertEquals(model.network().score(normalized), model.score(data), 1e-6);
        // The raw data is left as it was.
        assertEquals(data(), data);
    }
}
