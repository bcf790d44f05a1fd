package org.rnnlab.layers;

import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The configuration of rnnlab's {@link Gru} computed by {@link FastGruLayer}: the same parameters,
 * maths, masks and states, so a network can swap one for the other and keep its weights; it is a
 * Gru to everything that inspects layers, and configuration.json names its own class. The fast path
 * is the reset-after form in float; anything else runs {@link GruLayer}'s code.
 */
public class FastGru extends Gru {

    protected FastGru(Builder builder) {
        super(builder);
    }

    /** For Jackson, when a configuration is read back from JSON. */
    protected FastGru() {
        super(new Gru.Builder());
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
            INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
        LayerValidation.assertNInNOutSet("FastGru", getLayerName(), layerIndex, getNIn(), getNOut());
        return LayerWiring.wire(new FastGruLayer(conf, networkDataType), conf, listeners, layerIndex, layerParamsView,
                initializeParams, initializer());
    }

    // Same settings, same maths, but a JSON round trip must give back the class it started with.
    @Override
    public boolean equals(Object other) {
        return other instanceof FastGru && super.equals(other);
    }

    @Override
    protected boolean canEqual(Object other) {
        return other instanceof FastGru;
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + 3;
    }

    /** Built like {@code new Gru.Builder()...build()}. */
    public static class Builder extends Gru.Builder {
        @Override
        @SuppressWarnings("unchecked")
        public FastGru build() {
            return new FastGru(this);
        }
    }
}
