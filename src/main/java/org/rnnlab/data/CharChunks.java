package org.rnnlab.data;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A text cut into {@code streams} equal parallel streams that are read side by side, one chunk of
 * {@code length} characters at a time: chunk {@code k} of every stream forms one minibatch, so the
 * hidden state left by chunk k is the right starting state for chunk k + 1 of the same stream.
 * Features are one-hot characters [streams, V, length]; labels the characters one step later.
 * Both are laid out time-major in memory ([length, streams, V], seen through a permuted view), the
 * layout {@link org.rnnlab.layers.FastSimpleRnn} reads without a copy.
 */
public final class CharChunks {
    private final int[] text;
    private final int vocabulary;
    private final int streams;
    private final int length;
    private final int streamLength;

    public CharChunks(int[] text, int vocabulary, int streams, int length) {
        this.text = text;
        this.vocabulary = vocabulary;
        this.streams = streams;
        this.length = length;
        this.streamLength = text.length / streams;
        if (streamLength < length + 1) {
            throw new org.rnnlab.BadInputException("the training text (" + text.length + " characters) is too short for "
                    + streams + " streams of at least " + (length + 1) + " characters; use a smaller --batch or --seq-length");
        }
    }

    /** Chunks per pass through the text (per epoch). */
    public int chunksPerPass() {
        return (streamLength - 1) / length;
    }

    /** Chunk {@code k} (0 <= k < chunksPerPass) of every stream. */
    public DataSet chunk(int k) {
        // Filled as Java arrays and copied once: putScalar per character costs more than the training step.
        float[] features = new float[length * streams * vocabulary];
        float[] labels = new float[length * streams * vocabulary];
        for (int s = 0; s < streams; s++) {
            int start = s * streamLength + k * length;
            for (int t = 0; t < length; t++) {
                int row = (t * streams + s) * vocabulary;
                features[row + text[start + t]] = 1f;
                labels[row + text[start + t + 1]] = 1f;
            }
        }
        long[] timeMajor = {length, streams, vocabulary};
        return new DataSet(Nd4j.create(features, timeMajor, 'c').permute(1, 2, 0),
                Nd4j.create(labels, timeMajor, 'c').permute(1, 2, 0));
    }

    /** One-hot [1, V, n] for a sequence of indices. */
    public static INDArray oneHot(int[] indices, int vocabulary) {
        INDArray x = Nd4j.zeros(1, vocabulary, indices.length);
        for (int t = 0; t < indices.length; t++) {
            x.putScalar(0, indices[t], t, 1.0);
        }
        return x;
    }
}
