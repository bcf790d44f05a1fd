package org.rnnlab.layers;

import java.nio.FloatBuffer;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;

/**
 * tanh and sigmoid, and multiplication by their derivatives, for float arrays, in plain Java loops
 * that HotSpot compiles to vector instructions.
 *
 * <p>Why: ND4J 1.0.0-M2.1 computes tanh one value at a time, plus a set-up per op; at char-rnn's sizes
 * (a step of 96 x 100 values, 25 steps) that was the largest single cost of a training iteration.
 * These loops, with the copy of a step in and out of native memory, take a small part of that
 * (measurements: docs/fast-layers.md, "Measured costs behind the layers").
 *
 * <p>tanh(x) is x P(x^2) / Q(x^2) with P and Q of degree 4, whose coefficients were fitted for this
 * class to tanh on [0, 9] by iteratively reweighted least squares on the relative error (about 2e-8
 * in exact arithmetic). Evaluated in float it stays within 3.6e-7 of tanh (6 float ulps); past |x| = 9, tanh
 * is 1 to within half a float ulp, so x is clamped there. The result is also clamped to [-1, 1], so
 * that 1 - tanh^2 is never negative. sigmoid(x) = (1 + tanh(x / 2)) / 2, an identity.
 *
 * <p>Doubles keep ND4J's own tanh: the gradient checks compare double-precision results to 1e-10,
 * which an approximation cannot meet.
 */
public final class FloatActivations {
    private static final float P0 = 0.9999999796883867f;
    private static final float P1 = 0.13381113647123616f;
    private static final float P2 = 0.003495691708198433f;
    private static final float P3 = 2.0610750019972677e-05f;
    private static final float P4 = 1.3356904027261862e-08f;
    private static final float Q1 = 0.46714429311588457f;
    private static final float Q2 = 0.02587737867815019f;
    private static final float Q3 = 0.0003285802618149076f;
    private static final float Q4 = 7.777490544091936e-07f;
    private static final float CLAMP = 9f;

    private FloatActivations() {
    }

    /** Whether these loops can compute {@code activation} for arrays of {@code dataType}. */
    static boolean handles(IActivation activation, DataType dataType) {
        return dataType == DataType.FLOAT && (activation instanceof ActivationTanH
                || activation instanceof ActivationSigmoid || activation instanceof ActivationIdentity);
    }

    /** y[i] = tanh(x[i]) for i in [0, n); x and y may be the same array. */
    public static void tanh(float[] x, float[] y, int n) {
        tanh(x, 0, y, 0, n);
    }

    /** y[yAt + i] = tanh(x[xAt + i]) for i in [0, n); x and y may be the same array. */
    public static void tanh(float[] x, int xAt, float[] y, int yAt, int n) {
        for (int i = 0; i < n; i++) {
            float v = Math.max(-CLAMP, Math.min(CLAMP, x[xAt + i]));
            float s = v * v;
            float p = ((((P4 * s + P3) * s + P2) * s + P1) * s + P0) * v;
            float q = (((Q4 * s + Q3) * s + Q2) * s + Q1) * s + 1f;
            y[yAt + i] = Math.max(-1f, Math.min(1f, p / q));
        }
    }

    /** y[i] = sigmoid(x[i]) = (1 + tanh(x[i] / 2)) / 2 for i in [0, n). */
    public static void sigmoid(float[] x, float[] y, int n) {
        sigmoid(x, 0, y, 0, n);
    }

    /** y[yAt + i] = sigmoid(x[xAt + i]) for i in [0, n); x and y may be the same array. */
    public static void sigmoid(float[] x, int xAt, float[] y, int yAt, int n) {
        for (int i = 0; i < n; i++) {
            y[yAt + i] = 0.5f * x[xAt + i];
        }
        tanh(y, yAt, y, yAt, n);
        for (int i = 0; i < n; i++) {
            y[yAt + i] = 0.5f + 0.5f * y[yAt + i];
        }
    }

    /**
     * The working memory of one layer: native float memory is read into {@code a} and {@code b},
     * computed on there, and written back.
     */
    record Scratch(float[] a, float[] b) {
        static Scratch of(int length) {
            return new Scratch(new float[length], new float[length]);
        }
    }

    /**
     * The whole float allocation behind an array, from its first element: for a view too, so the
     * array's first value is at index {@code array.offset()}.
     */
    static FloatBuffer buffer(INDArray array) {
        return array.data().asNioFloat();
    }

    /** The array itself when its values lie in c order one after another, else such a copy. */
    static INDArray contiguous(INDArray array) {
        return array.ordering() == 'c' && Shape.hasDefaultStridesForShape(array) ? array : array.dup('c');
    }

    /** out[outAt .. outAt + n) = f(in[inAt .. inAt + n)). */
    static void apply(IActivation activation, FloatBuffer in, int inAt, FloatBuffer out, int outAt, int n,
            Scratch scratch) {
        float[] values = scratch.a();
        in.get(inAt, values, 0, n);
        if (activation instanceof ActivationTanH) {
            tanh(values, values, n);
        } else if (activation instanceof ActivationSigmoid) {
            sigmoid(values, values, n);
        }
        out.put(outAt, values, 0, n);
    }

    /**
     * delta[at .. at + n) *= f'(z), where f'(z) follows from the output a = f(z) in
     * {@code output[outputAt .. outputAt + n)}: tanh 1 - a^2, sigmoid a (1 - a), identity 1.
     */
    static void multiplyByDerivative(IActivation activation, FloatBuffer delta, int at, FloatBuffer output,
            int outputAt, int n, Scratch scratch) {
        if (activation instanceof ActivationIdentity) {
            return;
        }
        float[] d = scratch.a();
        float[] a = scratch.b();
        delta.get(at, d, 0, n);
        output.get(outputAt, a, 0, n);
        if (activation instanceof ActivationTanH) {
            for (int i = 0; i < n; i++) {
                d[i] *= 1f - a[i] * a[i];
            }
        } else {
            for (int i = 0; i < n; i++) {
                d[i] *= a[i] * (1f - a[i]);
            }
        }
        delta.put(at, d, 0, n);
    }
}
