package org.rnnlab.layers;

import java.nio.FloatBuffer;

/**
 * Softmax with multi-class cross-entropy over float rows, in Java passes around ND4J's exp: one
 * pass adds the bias and subtracts each row's maximum, ND4J takes exp, and a second pass forms the
 * probabilities, the summed loss, the gradient delta = p sum(y) - y and its column sums (the bias
 * gradient). Done with ND4J ops alone it is about a dozen ops over the [T B, classes] logits, each
 * costing a pass over memory and its own set-up.
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
    /** Each row's smallest shifted logit, from {@link #shift}. */
    private float[] rowMinimum = new float[0];

    FloatSoftmaxCrossEntropy(int classes) {
        this.classes = classes;
        int block = Math.max(classes, BLOCK_VALUES / classes * classes);
        a = new float[block];
        b = new float[block];
        c = new float[block];
        biasGradient = new float[classes];
    }

    int classes() {
        return classes;
    }

    /** The column sums of the last {@link #lossAndDelta}'s delta: the gradient of the bias. */
    float[] biasGradient() {
        return biasGradient;
    }

    // Java keeps floating-point sums in order, so a plain loop adds one value at a time, each waiting
    // for the last; four running sums (two for the extremes) let the processor work on four at once. Ternaries
    // rather than Math.max/min: those also order -0 and 0 and pass NaN on, which costs twice the time
    // and does not matter here (a NaN logit still makes the loss NaN through exp and the sums).

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

    /** sum of x[j] y[j] over the row. */
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

    /** The row's maximum, returned, and its minimum, in {@code minimum[at]}. */
    private static float extremes(float[] v, int from, int n, float[] minimum, int at) {
        float max0 = Float.NEGATIVE_INFINITY;
        float max1 = max0;
        float min0 = Float.POSITIVE_INFINITY;
        float min1 = min0;
        int j = from;
        int end = from + n;
        for (; j + 1 < end; j += 2) {
            max0 = max0 > v[j] ? max0 : v[j];
            max1 = max1 > v[j + 1] ? max1 : v[j + 1];
            min0 = min0 < v[j] ? min0 : v[j];
            min1 = min1 < v[j + 1] ? min1 : v[j + 1];
        }
        if (j < end) {
            max0 = max0 > v[j] ? max0 : v[j];
            min0 = min0 < v[j] ? min0 : v[j];
        }
        minimum[at] = min0 < min1 ? min0 : min1;
        return max0 > max1 ? max0 : max1;
    }

    /** z = z + bias, then each row minus its maximum, in place over {@code rows} rows. */
    void shift(FloatBuffer logits, float[] bias, int rows) {
        rowMinimum = rowMinimum.length >= rows ? rowMinimum : new float[rows];
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
                float max = extremes(a, base, classes, rowMinimum, first + r);
                for (int j = 0; j < classes; j++) {
                    a[base + j] -= max;
                }
                rowMinimum[first + r] -= max; // the same subtraction as its own value's
            }
            logits.put(at, a, 0, count * classes);
        }
    }

    /**
     * From the shifted logits z and e = exp(z): p = e / sum(e), ln p = z - ln sum(e) clipped to
     * [lnMin, lnMax] as DL4J clips p, the loss -sum(y ln p) (returned), and delta = p sum(y) - y,
     * written over e. The labels y are c-ordered rows starting at {@code labelsAt}.
     */
    double lossAndDelta(FloatBuffer logits, FloatBuffer exp, FloatBuffer labels, int labelsAt, int rows,
            double lnMin, double lnMax) {
        java.util.Arrays.fill(biasGradient, 0f);
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
                float labelSum = sum(c, base, classes);
                float lnSum = (float) Math.log(sum);
                // The shifted logits run from rowMinimum to 0, so ln p runs from rowMinimum - lnSum to
                // -lnSum: within [lo, hi] the clipping changes nothing and -sum(y ln p) is
                // lnSum sum(y) - sum(y z); otherwise clip value by value.
                if (rowMinimum[first + r] - lnSum >= lo && -lnSum <= hi) {
                    loss += lnSum * labelSum - dot(a, c, base, classes);
                } else {
                    for (int j = 0; j < classes; j++) {
                        float lnP = a[base + j] - lnSum;
                        lnP = lnP < lo ? lo : lnP > hi ? hi : lnP;
                        loss -= c[base + j] * lnP;
                    }
                }
                float scale = labelSum / sum;
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
}
