package org.rnnlab.layers;

import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/** Which code computes a task's recurrent and output layers; both give the same maths and the same zip layout. */
public enum LayerImplementation {
    /** rnnlab's {@link FastSimpleRnn} and {@link FastRnnOutputLayer}. */
    FAST,
    /** DL4J's own SimpleRnn and RnnOutputLayer. */
    DL4J;

    /** What {@code --implementation} means, for every task's help. */
    public static final String DESCRIPTION = "FAST: rnnlab's time-major layers; DL4J: DL4J's own SimpleRnn and"
            + " RnnOutputLayer (same maths, same zip)";

    /** A SimpleRnn builder of this implementation. */
    public SimpleRnn.Builder simpleRnn() {
        return this == FAST ? new FastSimpleRnn.Builder() : new SimpleRnn.Builder();
    }

    /** An RnnOutputLayer builder of this implementation. */
    public RnnOutputLayer.Builder rnnOutput(LossFunction loss) {
        return this == FAST ? new FastRnnOutputLayer.Builder(loss) : new RnnOutputLayer.Builder(loss);
    }
}
