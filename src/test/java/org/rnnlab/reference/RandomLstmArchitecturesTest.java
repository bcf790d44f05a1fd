package org.rnnlab.reference;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.rnnlab.layers.LayerImplementation;

/**
 * Random stacks of SimpleRnn and LSTM layers, drawn as RandomArchitecturesTest draws its networks
 * (1 to 3 layers, SimpleRnn of 1 to 8 units and LSTM of 1 to 4, every activation, with and without
 * hidden biases, per-step or last-step outputs, every loss, lengths 1 to 6, minibatches 1 to 4, with
 * and without masks), each layer an LSTM on a coin toss: on each, the reference RNN, DL4J and finite
 * differences agree.
 */
class RandomLstmArchitecturesTest {

    @Test
    void referenceDl4jAndFiniteDifferencesAgreeOn12RandomStacksOfSimpleRnnAndLstm() {
        RandomArchitecturesTest.checkRandomNetworks(12, LayerImplementation.DL4J, new Random(19), true);
    }

    /** The same with rnnlab's fast SimpleRnn beside DL4J's LSTM. */
    @Test
    void withFastSimpleRnnLayersTheyAgreeOn4RandomStacks() {
        RandomArchitecturesTest.checkRandomNetworks(4, LayerImplementation.FAST, new Random(20), true);
    }
}
