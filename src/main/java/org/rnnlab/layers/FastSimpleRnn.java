package org.rnnlab.layers;

import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The configuration of a {@link SimpleRnn} computed by {@link FastSimpleRnnLayer}: the same
 * parameters (W [nIn, nOut], RW [nOut, nOut], b [1, nOut]), the same maths, the same state keys, so
 * a network can swap one for the other and keep its weights. It is a SimpleRnn (anything that
 * inspects SimpleRnn layers, such as the gradient checks, treats it as one) and is saved in
 * configuration.json under its own class name, so a loaded zip computes with the fast layer again.
 *
 * <p>Activations are limited to those whose derivative follows from their output (tanh, sigmoid,
 * identity): the backward pass uses the stored outputs instead of running the forward pass again.
 */
public class FastSimpleRnn extends SimpleRnn {

    protected FastSimpleRnn(Builder builder) {
        super(builder);
    }

    /** For Jackson, when a configuration is read back from JSON. */
    protected FastSimpleRnn() {
        super(new Builder());
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
            INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
        LayerValidation.assertNInNOutSet("FastSimpleRnn", getLayerName(), layerIndex, getNIn(), getNOut());
        if (hasLayerNorm()) {
            throw new IllegalStateException("FastSimpleRnn (layer " + layerIndex + ") has no layer normalisation; use SimpleRnn");
        }
        checkActivation(getActivationFn(), layerIndex);
        return LayerWiring.wire(new FastSimpleRnnLayer(conf, networkDataType), conf, listeners, layerIndex, layerParamsView,
                initializeParams, initializer());
    }

    static void checkActivation(IActivation activation, int layerIndex) {
        if (!(activation instanceof ActivationTanH || activation instanceof ActivationSigmoid
                || activation instanceof ActivationIdentity)) {
            throw new IllegalStateException("FastSimpleRnn (layer " + layerIndex + ") supports tanh, sigmoid and identity, not "
                    + activation + "; use SimpleRnn");
        }
    }

    // A FastSimpleRnn and a SimpleRnn with the same settings compute the same thing, but they are
    // different configurations: a JSON round trip must give back the class it started with.
    @Override
    public boolean equals(Object other) {
        return other instanceof FastSimpleRnn && super.equals(other);
    }

    @Override
    protected boolean canEqual(Object other) {
        return other instanceof FastSimpleRnn;
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + 1;
    }

    /** Built like DL4J's {@code new SimpleRnn.Builder()...build()}. */
    public static class Builder extends SimpleRnn.Builder {
        @Override
        @SuppressWarnings("unchecked")
        public FastSimpleRnn build() {
            return new FastSimpleRnn(this);
        }
    }
}
