package org.rnnlab.layers;

import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.nd4j.linalg.activations.Activation;

/**
 * The recurrent cell a task's layers are made of: the tutorials' SimpleRnn, or a gated cell that
 * keeps information over many steps (docs/tasks.md, "Gated cells").
 */
public enum Cell {
    /** h_t = f(x_t W + h_{t-1} RW + b): the seeds' cell, with the task's activation f. */
    SIMPLE,
    /**
     * DL4J's LSTM (input, forget and output gates, no peepholes: Keras's LSTM), tanh for its block
     * input and output and sigmoid gates, whatever activation the task gives its SimpleRnn; computed
     * by rnnlab's {@link FastLstm} under the FAST implementation.
     */
    LSTM,
    /**
     * rnnlab's {@link Gru}: update and reset gates, the reset applied after the recurrent product
     * (Keras's {@code reset_after=True}, tf.keras 2's default and cuDNN's form), tanh and sigmoid gates.
     */
    GRU;

    /** What {@code --cell} means, for every task's help. */
    public static final String DESCRIPTION = "the recurrent cell: SIMPLE (the tutorials' SimpleRnn), LSTM (DL4J's"
            + " LSTM, Keras's LSTM), GRU (rnnlab's Gru, Keras's GRU with reset_after=True)";

    /**
     * A recurrent layer builder of this cell. SIMPLE takes {@code simpleActivation} and the
     * implementation's SimpleRnn; a gated cell keeps tanh (its sigmoid gates do the squashing a
     * task chose a sigmoid SimpleRnn for); FAST computes LSTM and GRU with {@link FastLstm} and
     * {@link FastGru}, DL4J with DL4J's LSTM and rnnlab's op-by-op {@link Gru}.
     */
    public BaseRecurrentLayer.Builder<?> layer(LayerImplementation implementation, Activation simpleActivation) {
        return switch (this) {
            case SIMPLE -> implementation.simpleRnn().activation(simpleActivation);
            case LSTM -> implementation.lstm().activation(Activation.TANH).gateActivationFunction(Activation.SIGMOID);
            case GRU -> implementation.gru().resetAfter(true).activation(Activation.TANH)
                    .gateActivationFunction(Activation.SIGMOID);
        };
    }
}
