package org.rnnlab.layers;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The configuration of a DL4J {@link LSTM} computed by {@link FastLstmLayer}: the same parameters
 * (W [nIn, 4u], RW [u, 4u], b [1, 4u], column blocks g, f, o, i), the same initialisation (the
 * forget gate's bias at {@code forgetGateBiasInit}), the same state keys, so a network can swap one
 * for the other and keep its weights. Being an LSTM, everything that inspects LSTM layers (the
 * reference mapping, summaries, network shapes) treats it as one; configuration.json names its own
 * class, so a loaded zip computes with the fast layer again.
 *
 * <p>Settings the fast layer does not compute (double precision, other gate activations, dropout,
 * weight noise, a mask reaching the layer) run DL4J's own LSTM code, so every LSTM setting is valid.
 */
public class FastLstm extends LSTM {

    /** For Jackson, when a configuration is read back from JSON, and for {@link Builder#build}. */
    public FastLstm() {
        super();
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
            INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
        LayerValidation.assertNInNOutSet("FastLstm", getLayerName(), layerIndex, getNIn(), getNOut());
        return LayerWiring.wire(new FastLstmLayer(conf, networkDataType), conf, listeners, layerIndex, layerParamsView,
                initializeParams, initializer());
    }

    // A FastLstm and an LSTM with the same settings compute the same thing, but a JSON round trip
    // must give back the class it started with.
    @Override
    public boolean equals(Object other) {
        return other instanceof FastLstm && super.equals(other);
    }

    @Override
    protected boolean canEqual(Object other) {
        return other instanceof FastLstm;
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + 2;
    }

    /** Built like DL4J's {@code new LSTM.Builder()...build()}. */
    public static class Builder extends LSTM.Builder {
        /**
         * DL4J's LSTM has only a private constructor from its builder, so the builder makes a DL4J
         * LSTM and its settings (every field of LSTM and its superclasses) are copied into a FastLstm.
         */
        @Override
        @SuppressWarnings("unchecked")
        public FastLstm build() {
            LSTM built = super.build();
            FastLstm fast = new FastLstm();
            try {
                for (Class<?> type = LSTM.class; type != Object.class; type = type.getSuperclass()) {
                    for (Field field : type.getDeclaredFields()) {
                        if (!Modifier.isStatic(field.getModifiers())) {
                            field.setAccessible(true);
                            field.set(fast, field.get(built));
                        }
                    }
                }
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("cannot copy DL4J's LSTM settings", e);
            }
            return fast;
        }
    }
}
