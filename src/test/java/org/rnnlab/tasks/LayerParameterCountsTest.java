package org.rnnlab.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;

/** Parameter counts per layer: SimpleRnn nIn*nOut + nOut*nOut + nOut, the output layer nIn*nOut + nOut. */
class LayerParameterCountsTest {

    private static void assertCounts(MultiLayerConfiguration configuration, int[] hidden, int nIn) {
        MultiLayerNetwork network = new MultiLayerNetwork(configuration);
        network.init();
        int previous = nIn;
        for (int i = 0; i < hidden.length; i++) {
            SimpleRnn rnn = assertInstanceOf(SimpleRnn.class, configuration.getConf(i).getLayer());
            assertEquals(previous, rnn.getNIn());
            assertEquals(hidden[i], rnn.getNOut());
            long n = hidden[i];
            assertEquals(previous * n + n * n + n, network.getLayer(i).numParams(), "layer " + i);
            previous = hidden[i];
        }
        FeedForwardLayer output = assertInstanceOf(RnnOutputLayer.class,
                configuration.getConf(hidden.length).getLayer());
        assertEquals(previous * output.getNOut() + output.getNOut(), network.getLayer(hidden.length).numParams());
    }

    @Test
    void binarySumHasTheSeedsTwoSigmoidLayersOfSixAndFour() {
        BinarySumTask.Options options = new BinarySumTask().defaultOptions();
        assertCounts(new BinarySumTask().network(options), new int[] {6, 4}, 1);
        // 1*6+6*6+6 = 48, 6*4+4*4+4 = 44, 4*1+1 = 5
        MultiLayerNetwork network = new MultiLayerNetwork(new BinarySumTask().network(options));
        network.init();
        assertEquals(48 + 44 + 5, network.numParams());
    }

    @Test
    void sineWaveHasOneTanhLayer() {
        SineWaveTask.Options options = new SineWaveTask().defaultOptions();
        assertCounts(new SineWaveTask().network(options), new int[] {options.hidden()}, 1);
    }
}
