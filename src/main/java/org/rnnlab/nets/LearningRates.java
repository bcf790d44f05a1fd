package org.rnnlab.nets;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * Changing a network's learning rate while it trains. DL4J's {@code MultiLayerNetwork.setLearningRate}
 * rebuilds the updater and its state array, which costs a copy and leaves a trainer holding the old
 * array; here the rate is written into the layers' updater configurations in place, which DL4J's
 * updater and rnnlab's Java step both read at every step, and which the zip's configuration saves.
 */
public final class LearningRates {
    private LearningRates() {
    }

    /** Sets every layer's learning rate (weights and biases) to {@code rate}, dropping any schedule. */
    public static void set(MultiLayerNetwork network, double rate) {
        for (Layer layer : network.getLayers()) {
            if (layer.conf().getLayer() instanceof BaseLayer base) {
                set(base.getIUpdater(), rate);
                set(base.getBiasUpdater(), rate);
            }
        }
    }

    private static void set(IUpdater updater, double rate) {
        if (updater != null && updater.hasLearningRate()) {
            updater.setLrAndSchedule(rate, null);
        }
    }

    /** The first layer's learning rate at the network's current iteration and epoch. */
    public static double of(MultiLayerNetwork network) {
        return network.getLearningRate(0);
    }
}
