package org.rnnlab.data;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
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
        // Zeros, then a 1 written straight into native memory for each character: putScalar costs
        // more per character than the training step, and Nd4j.create(float[]) copies value by value.
        long[] timeMajor = {length, streams, vocabulary};
        INDArray features = Nd4j.create(DataType.FLOAT, timeMajor, 'c');
        INDArray labels = Nd4j.create(DataType.FLOAT, timeMajor, 'c');
        FloatBuffer x = features.data().asNioFloat();
        FloatBuffer y = labels.data().asNioFloat();
        for (int s = 0; s < streams; s++) {
            int start = s * streamLength + k * length;
            for (int t = 0; t < length; t++) {
                int row = (t * streams + s) * vocabulary;
                x.put(row + text[start + t], 1f);
                y.put(row + text[start + t + 1], 1f);
            }
        }
        return new DataSet(features.permute(1, 2, 0), labels.permute(1, 2, 0));
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
