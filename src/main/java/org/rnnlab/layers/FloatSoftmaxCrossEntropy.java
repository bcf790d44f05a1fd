package org.rnnlab.layers;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * Softmax with multi-class cross-entropy over float rows, in Java passes around ND4J's exp: one
 * pass adds the bias to the logits z, ND4J takes e = exp(z), and a second pass forms the
 * probabilities p = e / sum(e), the summed loss, the gradient delta = p sum(y) - y and its column
 * sums (the bias gradient). Done with ND4J ops alone it is about a dozen ops over the [T B, classes]
 * logits, each a pass over memory with its own set-up.
 *
 * <p>The usual guard, subtracting each row's maximum before exp, costs a reduction per row that
 * Java cannot vectorize. It is needed only where exp overflows or the whole row underflows, which
 * shows as a row sum that is not a normal float; such rows are computed again the guarded way,
 * in Java. Elsewhere the unshifted result is the same to float rounding.
 *
 * <p>Rows are handled a block at a time, in arrays small enough to stay in the first-level cache.
 */
final class FloatSoftmaxCrossEntropy {
    private static final int BLOCK_VALUES = 4096;

    private final int classes;
    private final float[] a;
    private final float[] b;
    private final float[] c;
    private final float[] biasGradient;

    FloatSoftmaxCrossEntropy(int classes) {
        this.classes = classes;
        int block = Math.max(classes, BLOCK_VALUES / classes * classes);
        a = new float[block];
        b = new float[block];
        c = new float[block];
        biasGradient = new float[classes];
    }

    /** The column sums of the last {@link #lossAndDelta}'s delta: the gradient of the bias. */
    float[] biasGradient() {
        return biasGradient;
    }

    /** z = z + bias, in place over {@code rows} rows. */
    void addBias(FloatBuffer logits, float[] bias, int rows) {
        int perBlock = a.length / classes;
        for (int first = 0; first < rows; first += perBlock) {
            int count = Math.min(perBlock, rows - first);
            int at = first * classes;
            logits.get(at, a, 0, count * classes);
            for (int r = 0; r < count; r++) {
                int base = r * classes;
                for (int j = 0; j < classes; j++) {
                    a[base + j] += bias[j];
                }
            }
            logits.put(at, a, 0, count * classes);
        }
    }

    /**
     * From the logits z and e = exp(z): p = e / sum(e), ln p = z - ln sum(e) clipped to
     * [lnMin, lnMax] as DL4J clips p, the loss -sum(y ln p) (returned), and delta = p sum(y) - y,
     * written over e. The labels y are c-ordered rows starting at {@code labelsAt}.
     */
    double lossAndDelta(FloatBuffer logits, FloatBuffer exp, FloatBuffer labels, int labelsAt, int rows,
            double lnMin, double lnMax) {
        Arrays.fill(biasGradient, 0f);
        float lo = (float) lnMin;
        float hi = (float) lnMax;
        double loss = 0;
        int perBlock = a.length / classes;
        for (int first = 0; first < rows; first += perBlock) {
            int count = Math.min(perBlock, rows - first);
            int at = first * classes;
            int n = count * classes;
            logits.get(at, a, 0, n);
            exp.get(at, b, 0, n);
            labels.get(labelsAt + at, c, 0, n);
            for (int r = 0; r < count; r++) {
                int base = r * classes;
                float sum = sum(b, base, classes);
                if (!(sum >= Float.MIN_NORMAL && sum <= Float.MAX_VALUE)) {
                    sum = shiftedExp(base); // overflow or underflow (or NaN, which stays NaN)
                }
                float lnSum = (float) Math.log(sum);
                for (int j = base; j < base + classes; j++) {
                    a[j] = Math.max(lo, Math.min(hi, a[j] - lnSum)); // ln p, clipped
                }
                loss -= dot(a, c, base, classes);
                float scale = sum(c, base, classes) / sum;
                for (int j = 0; j < classes; j++) {
                    float d = b[base + j] * scale - c[base + j];
                    b[base + j] = d;
                    biasGradient[j] += d;
                }
            }
            exp.put(at, b, 0, n);
        }
        return loss;
    }

    /** The guarded softmax for the row at {@code base}: z minus its maximum into a, exp of that into b; returns sum(b). */
    private float shiftedExp(int base) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = base; j < base + classes; j++) {
            max = Math.max(max, a[j]);
        }
        for (int j = base; j < base + classes; j++) {
            a[j] -= max;
            b[j] = (float) Math.exp(a[j]);
        }
        return sum(b, base, classes);
    }

    // Java keeps floating-point sums in order, so a plain loop adds one value at a time, each waiting
    // for the last; four running sums let the processor work on four at once.

    private static float sum(float[] v, int from, int n) {
        float s0 = 0f;
        float s1 = 0f;
        float s2 = 0f;
        float s3 = 0f;
        int j = from;
        int end = from + n;
        for (; j + 3 < end; j += 4) {
            s0 += v[j];
            s1 += v[j + 1];
            s2 += v[j + 2];
            s3 += v[j + 3];
        }
        for (; j < end; j++) {
            s0 += v[j];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** The sum of x[j] y[j] over n values from {@code from}. */
    private static float dot(float[] x, float[] y, int from, int n) {
        float s0 = 0f;
        float s1 = 0f;
        float s2 = 0f;
        float s3 = 0f;
        int j = from;
        int end = from + n;
        for (; j + 3 < end; j += 4) {
            s0 += x[j] * y[j];
            s1 += x[j + 1] * y[j + 1];
            s2 += x[j + 2] * y[j + 2];
            s3 += x[j + 3] * y[j + 3];
        }
        for (; j < end; j++) {
            s0 += x[j] * y[j];
        }
        return (s0 + s1) + (s2 + s3);
    }
}
