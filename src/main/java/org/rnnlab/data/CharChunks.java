package org.rnnlab.data;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
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
 *
 * <p>The arrays are reused: chunk {@code k}'s arrays are written again by the call after next, so
 * a chunk stays valid while the next one is in use (the network still holds the last input while
 * the next chunk is made). Copy a chunk ({@code DataSet.copy()}) to keep it longer. Fresh arrays
 * for every chunk (1.5 MB at char-rnn's default sizes) cost a good part of a training iteration, in
 * allocating and zeroing native memory (measurements: docs/benchmarks.md, "Earlier figures (2026-11-22)").
 */
public final class CharChunks {
    private final int[] text;
    private final int vocabulary;
    private final int streams;
    private final int length;
    private final int streamLength;
    private final Pair[] pairs;
    private long made;

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
        this.pairs = new Pair[] {new Pair(length, streams, vocabulary), new Pair(length, streams, vocabulary)};
    }

    /** Chunks per pass through the text (per epoch). */
    public int chunksPerPass() {
        return (streamLength - 1) / length;
    }

    /** Chunk {@code k} (0 <= k < chunksPerPass) of every stream. */
    public DataSet chunk(int k) {
        Pair pair = pairs[(int) (made++ % 2)];
        // Take back the 1s this pair's previous chunk wrote, then write this chunk's: a few
        // thousand values instead of zeroing the arrays (putScalar would cost more than the step).
        for (int i = 0; i < pair.ones; i++) {
            pair.x.put(pair.featureAt[i], 0f);
            pair.y.put(pair.labelAt[i], 0f);
        }
        pair.ones = 0;
        for (int s = 0; s < streams; s++) {
            int start = s * streamLength + k * length;
            for (int t = 0; t < length; t++) {
                int row = (t * streams + s) * vocabulary;
                pair.featureAt[pair.ones] = row + text[start + t];
                pair.labelAt[pair.ones] = row + text[start + t + 1];
                pair.x.put(pair.featureAt[pair.ones], 1f);
                pair.y.put(pair.labelAt[pair.ones], 1f);
                pair.ones++;
            }
        }
        return new DataSet(pair.features.permute(1, 2, 0), pair.labels.permute(1, 2, 0));
    }

    /** One chunk's arrays, time-major [length, streams, V], and where their 1s are. */
    private static final class Pair {
        final INDArray features;
        final INDArray labels;
        final FloatBuffer x;
        final FloatBuffer y;
        final int[] featureAt;
        final int[] labelAt;
        int ones;

        Pair(int length, int streams, int vocabulary) {
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                features = Nd4j.create(DataType.FLOAT, new long[] {length, streams, vocabulary}, 'c');
                labels = Nd4j.create(DataType.FLOAT, new long[] {length, streams, vocabulary}, 'c');
            }
            x = features.data().asNioFloat();
            y = labels.data().asNioFloat();
            featureAt = new int[length * streams];
            labelAt = new int[length * streams];
        }
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
