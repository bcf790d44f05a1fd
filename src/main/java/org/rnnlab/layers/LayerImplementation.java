package org.rnnlab.layers;

import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/** Which code computes a task's recurrent and output layers; both give the same maths and the same zip layout. */
public enum LayerImplementation {
    /** rnnlab's {@link FastSimpleRnn}, {@link FastLstm}, {@link FastGru} and {@link FastRnnOutputLayer}. */
    FAST,
    /** DL4J's own SimpleRnn, LSTM and RnnOutputLayer, and rnnlab's op-by-op {@link Gru}. */
    DL4J;

    /** What {@code --implementation} means, for every task's help. */
    public static final String DESCRIPTION = "FAST: rnnlab's time-major layers; DL4J: DL4J's own SimpleRnn, LSTM"
            + " and RnnOutputLayer (same maths, same zip)";

    /** A SimpleRnn builder of this implementation. */
    public SimpleRnn.Builder simpleRnn() {
        return this == FAST ? new FastSimpleRnn.Builder() : new SimpleRnn.Builder();
    }

    /** An LSTM builder of this implementation: rnnlab's {@link FastLstm} or DL4J's LSTM. */
    public LSTM.Builder lstm() {
        return this == FAST ? new FastLstm.Builder() : new LSTM.Builder();
    }

    /** A Gru builder of this implementation: rnnlab's {@link FastGru} or its ND4J-op {@link Gru}. */
    public Gru.Builder gru() {
        return this == FAST ? new FastGru.Builder() : new Gru.Builder();
    }

    /** An RnnOutputLayer builder of this implementation. */
    public RnnOutputLayer.Builder rnnOutput(LossFunction loss) {
        return this == FAST ? new FastRnnOutputLayer.Builder(loss) : new RnnOutputLayer.Builder(loss);
    }
}
