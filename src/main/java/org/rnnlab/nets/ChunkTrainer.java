package org.rnnlab.nets;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Truncated BPTT over a stream of chunks whose hidden state carries on from one chunk to the next
 * (seed 002's {@code hprev}): what char-rnn's training loop calls, whichever trainer computes it.
 */
public interface ChunkTrainer extends AutoCloseable {
    /**
     * One update on a chunk, starting from the state the previous chunk left.
     *
     * @param features [streams, nIn, steps]
     * @param labels   [streams, nOut, steps]
     * @return the chunk's score: the loss summed over its steps, averaged over the streams
     */
    double step(INDArray features, INDArray labels);

    /**
     * The share of the last step's score that is regularization (DL4J's weight decay adds
     * c/2 ||w||^2 to it), so that the loss on the text alone is {@code step(...)} minus this; 0 without.
     */
    double lastRegularizationScore();

    /** Back to a zero state, for example at the end of a pass through the text. */
    void resetState();

    /** Ends any threads of the trainer's own; the network stays usable. */
    @Override
    void close();
}
