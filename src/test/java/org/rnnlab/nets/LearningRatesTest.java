package org.rnnlab.nets;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.rnnlab.data.CharChunks;
import org.rnnlab.layers.LayerImplementation;

/** A learning rate changed in place is the one DL4J's updater uses next, and the one the zip saves. */
class LearningRatesTest {
    @TempDir
    java.nio.file.Path dir;

    private static MultiLayerNetwork network(Optimizer optimizer, double rate) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).updater(optimizer.updater(rate)).list()
                .layer(LayerImplementation.DL4J.simpleRnn().nOut(8).activation(Activation.TANH).build())
                .layer(LayerImplementation.DL4J.rnnOutput(LossFunction.MCXENT).nOut(6).activation(Activation.SOFTMAX)
                        .build())
                .setInputType(InputType.recurrent(6)).backpropType(BackpropType.TruncatedBPTT).tBPTTForwardLength(5)
                .tBPTTBackwardLength(5).build();
        MultiLayerNetwork network = new MultiLayerNetwork(conf);
        network.init();
        return network;
    }

    private static DataSet chunk() {
        Random random = new Random(1);
        int[] text = new int[200];
        for (int i = 0; i < text.length; i++) {
            text[i] = random.nextInt(6);
        }
        return new CharChunks(text, 6, 2, 5).chunk(0);
    }

    @Test
    void theNextStepUsesTheNewRateAsANetworkBuiltWithItWould() throws Exception {
        for (Optimizer optimizer : Optimizer.values()) {
            MultiLayerNetwork changed = network(optimizer, 0.05);
            MultiLayerNetwork built = network(optimizer, 0.002);
            built.setParams(changed.params().dup());
            LearningRates.set(changed, 0.002);
            assertEquals(0.002, LearningRates.of(changed), 1e-15);
            assertEquals(0.002, changed.getLearningRate(1), 1e-15);
            DataSet data = chunk();
            changed.fit(data);
            built.fit(data);
            assertEquals(built.params(), changed.params(), optimizer + ": the step after the change");

            java.nio.file.Path file = dir.resolve(optimizer + ".zip");
            ModelSerializer.writeModel(changed, file.toFile(), true);
            assertEquals(0.002, ModelSerializer.restoreMultiLayerNetwork(file.toFile(), true).getLearningRate(0), 1e-15,
                    optimizer + ": the zip's rate");
        }
    }
}
