package org.rnnlab.reference;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A recurrent network written out by hand, in double precision and plain Java (no ND4J in its
 * maths), to check DL4J against: stacked recurrent layers, an output layer at every step or at the
 * last step only, three losses, feature and label masks, and backpropagation through time as the
 * seeds write it.
 *
 * <p>Parameters use DL4J's names and layout so that they copy across one to one: recurrent layer
 * {@code l} has {@code l_W} [nIn, nOut], {@code l_RW} [nOut, nOut] and {@code l_b} [nOut]; the
 * output layer, numbered after the recurrent ones, has {@code L_W} [nIn, nOut] and {@code L_b}.
 * Matrices are flattened in column-major ('f') order: element (i, j) of a matrix with r rows sits
 * at {@code i + r * j}.
 *
 * <p>Arrays are indexed [example][time step][unit]. A feature mask is [example][time step] with 1
 * for real steps and 0 for padding; a label mask weights each step's loss.
 */
public final class ReferenceRnn {

    /** A recurrent layer: h_t = f(x_t W + h_{t-1} RW + b). */
    public record Recurrent(int nIn, int nOut, ReferenceActivation activation, boolean bias) {
        public Recurrent {
            if (activation == ReferenceActivation.SOFTMAX) {
                throw new IllegalArgumentException("softmax is for output layers");
            }
        }
    }

    /**
     * The output layer: o = g(h W + b) at every step, or at the last real step of each example only
     * (DL4J's LastTimeStep + OutputLayer).
     */
    public record Output(int nIn, int nOut, ReferenceActivation activation, ReferenceLoss loss,
            boolean lastStepOnly) {
        public Output {
            if ((activation == ReferenceActivation.SOFTMAX) != (loss == ReferenceLoss.SOFTMAX_CROSS_ENTROPY)) {
                throw new IllegalArgumentException("softmax goes with softmax cross-entropy and only with it");
            }
        }
    }

    /**
     * One evaluation's data.
     *
     * @param features    [n][T][nIn]
     * @param labels      [n][T][nOut] for per-step outputs, [n][1][nOut] for last-step outputs
     * @param featureMask [n][T] or null
     * @param labelMask   [n][T] (per-step outputs) or null for all ones
     */
    public record Batch(double[][][] features, double[][][] labels, double[][] featureMask, double[][] labelMask) {
        int size() {
            return features.length;
        }

        int steps() {
            return features[0].length;
        }

        double featureMask(int n, int t) {
            return featureMask == null ? 1.0 : featureMask[n][t];
        }
    }

    /** Score, outputs ([n][T or 1][nOut]) and the gradient of the score with respect to every parameter. */
    public record Result(double score, double[][][] outputs, Map<String, double[]> gradients) {
    }

    private final List<Recurrent> layers;
    private final Output output;
    private final Convention convention;
    private final Map<String, double[]> parameters = new LinkedHashMap<>();

    public ReferenceRnn(List<Recurrent> layers, Output output, Convention convention) {
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("at least one recurrent layer");
        }
        for (int l = 0; l < layers.size(); l++) {
            Recurrent layer = layers.get(l);
            int expected = l == 0 ? layer.nIn() : layers.get(l - 1).nOut();
            if (layer.nIn() != expected) {
                throw new IllegalArgumentException("layer " + l + " takes " + layer.nIn() + " inputs, gets " + expected);
            }
            parameters.put(l + "_W", new double[layer.nIn() * layer.nOut()]);
            parameters.put(l + "_RW", new double[layer.nOut() * layer.nOut()]);
            if (layer.bias()) {
                parameters.put(l + "_b", new double[layer.nOut()]);
            }
        }
        if (output.nIn() != layers.get(layers.size() - 1).nOut()) {
            throw new IllegalArgumentException("the output layer's nIn differs from the last recurrent layer's nOut");
        }
        this.layers = List.copyOf(layers);
        this.output = output;
        this.convention = convention;
        parameters.put(outputIndex() + "_W", new double[output.nIn() * output.nOut()]);
        parameters.put(outputIndex() + "_b", new double[output.nOut()]);
    }

    public List<Recurrent> layers() {
        return layers;
    }

    public Output output() {
        return output;
    }

    public Convention convention() {
        return convention;
    }

    /** The parameters by DL4J name, in DL4J's order; the arrays are live, so writing them changes the network. */
    public Map<String, double[]> parameters() {
        return Collections.unmodifiableMap(parameters);
    }

    public int numParams() {
        return parameters.values().stream().mapToInt(p -> p.length).sum();
    }

    /** Every parameter drawn uniformly from [-scale, scale]. */
    public void randomize(Random random, double scale) {
        for (double[] p : parameters.values()) {
            for (int i = 0; i < p.length; i++) {
                p[i] = scale * (2 * random.nextDouble() - 1);
            }
        }
    }

    int outputIndex() {
        return layers.size();
    }

    // ---- Forward pass

    /** Activations of every layer: a[l][n][t][j] = f(z) before masking, h = mask * a after. */
    private record Forward(double[][][][] activations, double[][][][] hidden, int[] lastStep, double[][][] outputs) {
    }

    private Forward forward(double[][][] features, double[][] featureMask, double[][][] initialStates) {
        Batch shape = new Batch(features, null, featureMask, null);
        int n = shape.size();
        int steps = shape.steps();
        double[][][][] a = new double[layers.size()][n][steps][];
        double[][][][] h = new double[layers.size()][n][steps][];
        for (int l = 0; l < layers.size(); l++) {
            Recurrent layer = layers.get(l);
            double[] w = parameters.get(l + "_W");
            double[] rw = parameters.get(l + "_RW");
            double[] b = parameters.get(l + "_b");
            double[][][] in = l == 0 ? features : h[l - 1];
            for (int e = 0; e < n; e++) {
                double[] previous = initialState(initialStates, l, e, layer.nOut()); // h_0: zero unless carried over
                for (int t = 0; t < steps; t++) {
                    double mask = shape.featureMask(e, t);
                    double[] act = new double[layer.nOut()];
                    double[] out = new double[layer.nOut()];
                    for (int j = 0; j < layer.nOut(); j++) {
                        // z_t = x_t W + h_{t-1} RW + b  (seed 000's W h_{l-1} + Whh h_l^{n-1} + b, seed 001's h_{t+1})
                        double z = b == null ? 0 : b[j];
                        for (int i = 0; i < layer.nIn(); i++) {
                            z += in[e][t][i] * w[i + layer.nIn() * j];
                        }
                        for (int k = 0; k < layer.nOut(); k++) {
                            z += previous[k] * rw[k + layer.nOut() * j];
                        }
                        act[j] = layer.activation().apply(z);
                        // DL4J zeroes a masked step's output, and that zero is what the next step sees.
                        out[j] = mask * act[j];
                    }
                    a[l][e][t] = act;
                    h[l][e][t] = out;
                    previous = out;
                }
            }
        }

        double[][][] top = h[layers.size() - 1];
        int[] last = new int[n];
        double[][][] outputs = new double[n][][];
        for (int e = 0; e < n; e++) {
            last[e] = steps - 1;
            while (last[e] > 0 && shape.featureMask(e, last[e]) == 0) {
                last[e]--;
            }
            if (output.lastStepOnly()) {
                outputs[e] = new double[][] {outputLayer(top[e][last[e]])};
            } else {
                outputs[e] = new double[steps][];
                for (int t = 0; t < steps; t++) {
                    outputs[e][t] = outputLayer(top[e][t]);
                }
            }
        }
        return new Forward(a, h, last, outputs);
    }

    /** o = g(h W + b): seed 001's y = w2 h + b2, seed 002's p = softmax(Why h + by). */
    private double[] outputLayer(double[] hidden) {
        double[] w = parameters.get(outputIndex() + "_W");
        double[] b = parameters.get(outputIndex() + "_b");
        double[] z = new double[output.nOut()];
        for (int k = 0; k < output.nOut(); k++) {
            z[k] = b[k];
            for (int i = 0; i < output.nIn(); i++) {
                z[k] += hidden[i] * w[i + output.nIn() * k];
            }
        }
        if (output.activation() == ReferenceActivation.SOFTMAX) {
            return ReferenceActivation.softmax(z);
        }
        for (int k = 0; k < z.length; k++) {
            z[k] = output.activation().apply(z[k]);
        }
        return z;
    }

    /** The top recurrent layer's states h_t, [n][T][units]: seed 003's successive_outputs. */
    public double[][][] hiddenStates(double[][][] features, double[][] featureMask) {
        return forward(features, featureMask, null).hidden()[layers.size() - 1];
    }

    /** Outputs [n][T][nOut] (or [n][1][nOut] for last-step outputs). */
    public double[][][] output(double[][][] features, double[][] featureMask) {
        return forward(features, featureMask, null).outputs();
    }

    public double score(Batch batch) {
        Forward f = forward(batch.features(), batch.featureMask(), null);
        double score = 0;
        for (int e = 0; e < batch.size(); e++) {
            for (int t = 0; t < f.outputs()[e].length; t++) {
                double weight = labelWeight(batch, e, t);
                if (weight != 0) {
                    score += weight * output.loss().value(f.outputs()[e][t], batch.labels()[e][t], convention);
                }
            }
        }
        return convention.divideByMinibatch() ? score / batch.size() : score;
    }

    private double labelWeight(Batch batch, int e, int t) {
        return batch.labelMask() == null || output.lastStepOnly() ? 1.0 : batch.labelMask()[e][t];
    }

    // ---- Backward pass: backpropagation through time

    public Result forwardBackward(Batch batch) {
        return forwardBackward(batch, null);
    }

    /**
     * The same, starting from carried-over hidden states instead of zeros, as truncated BPTT does
     * from the second chunk of a stream on: {@code initialStates[l][n]} is h_0 of layer l for example
     * n. The states are constants here: no gradient flows back into the chunk before.
     */
    public Result forwardBackward(Batch batch, double[][][] initialStates) {
        Forward f = forward(batch.features(), batch.featureMask(), initialStates);
        int n = batch.size();
        int steps = batch.steps();
        double divisor = convention.divideByMinibatch() ? n : 1.0;
        Map<String, double[]> gradients = new LinkedHashMap<>();
        parameters.forEach((name, p) -> gradients.put(name, new double[p.length]));

        // Output layer: delta = dScore/dz_out; then the error each top hidden state receives.
        int top = layers.size() - 1;
        double[] wOut = parameters.get(outputIndex() + "_W");
        double[] gwOut = gradients.get(outputIndex() + "_W");
        double[] gbOut = gradients.get(outputIndex() + "_b");
        double[][][] fromAbove = new double[n][steps][output.nIn()];
        double score = 0;
        for (int e = 0; e < n; e++) {
            for (int s = 0; s < f.outputs()[e].length; s++) {
                int t = output.lastStepOnly() ? f.lastStep()[e] : s;
                double weight = labelWeight(batch, e, s);
                if (weight == 0) {
                    continue;
                }
                double[] o = f.outputs()[e][s];
                double[] y = batch.labels()[e][s];
                score += weight * output.loss().value(o, y, convention);
                double[] delta = outputDelta(o, y);
                double[] h = f.hidden()[top][e][t];
                for (int k = 0; k < output.nOut(); k++) {
                    double d = weight * delta[k] / divisor;
                    gbOut[k] += d;
                    for (int i = 0; i < output.nIn(); i++) {
                        gwOut[i + output.nIn() * k] += h[i] * d; // seed 002: dWhy += dy h^T
                        fromAbove[e][t][i] += wOut[i + output.nIn() * k] * d; // dh = Why^T dy
                    }
                }
            }
        }

        // Recurrent layers, top to bottom, each backwards in time.
        for (int l = top; l >= 0; l--) {
            Recurrent layer = layers.get(l);
            int nIn = layer.nIn();
            int nOut = layer.nOut();
            double[] w = parameters.get(l + "_W");
            double[] rw = parameters.get(l + "_RW");
            double[] gw = gradients.get(l + "_W");
            double[] grw = gradients.get(l + "_RW");
            double[] gb = gradients.get(l + "_b");
            double[][][] in = l == 0 ? batch.features() : f.hidden()[l - 1];
            double[][][] toBelow = new double[n][steps][nIn];
            for (int e = 0; e < n; e++) {
                double[] fromNextStep = new double[nOut]; // seed 002's dhnext, zero after the last step
                for (int t = steps - 1; t >= 0; t--) {
                    double mask = batch.featureMask(e, t);
                    double[] a = f.activations()[l][e][t];
                    double[] previous = t > 0 ? f.hidden()[l][e][t - 1] : initialState(initialStates, l, e, nOut);
                    double[] dz = new double[nOut];
                    for (int j = 0; j < nOut; j++) {
                        // delta_l^t = (S delta_{l+1}^t + T delta_l^{t+1}) * f'(z)  (seed 000's update factor,
                        // seed 002's dhraw = (1 - h^2) * dh); a masked step passes nothing back.
                        dz[j] = mask * (fromAbove[e][t][j] + fromNextStep[j]) * layer.activation().derivativeFromOutput(a[j]);
                    }
                    double[] nextFromNextStep = new double[nOut];
                    for (int j = 0; j < nOut; j++) {
                        if (dz[j] == 0) {
                            continue;
                        }
                        if (gb != null) {
                            gb[j] += dz[j]; // dbh += dhraw
                        }
                        for (int i = 0; i < nIn; i++) {
                            gw[i + nIn * j] += in[e][t][i] * dz[j]; // dWxh += dhraw x^T
                            toBelow[e][t][i] += w[i + nIn * j] * dz[j]; // S delta = W^T delta
                        }
                        for (int k = 0; k < nOut; k++) {
                            grw[k + nOut * j] += previous[k] * dz[j]; // dWhh += dhraw h_{t-1}^T
                            nextFromNextStep[k] += rw[k + nOut * j] * dz[j]; // T delta = Whh^T delta
                        }
                    }
                    fromNextStep = nextFromNextStep;
                }
            }
            fromAbove = toBelow;
        }
        return new Result(score / divisor, f.outputs(), gradients);
    }

    private static double[] initialState(double[][][] initialStates, int layer, int example, int units) {
        return initialStates == null ? new double[units] : initialStates[layer][example].clone();
    }

    /** dLoss/dz at the output: the loss's derivative through the activation; o - y for softmax cross-entropy. */
    private double[] outputDelta(double[] o, double[] y) {
        if (output.activation() == ReferenceActivation.SOFTMAX) {
            // d/dz_k of -sum_j y_j ln p_j = p_k sum_j y_j - y_k  (seed 002: dy = p; dy[target] -= 1)
            double labelSum = 0;
            for (double v : y) {
                labelSum += v;
            }
            double[] delta = new double[o.length];
            for (int k = 0; k < o.length; k++) {
                delta[k] = o[k] * labelSum - y[k];
            }
            return delta;
        }
        double[] delta = output.loss().derivative(o, y, convention);
        for (int k = 0; k < delta.length; k++) {
            delta[k] *= output.activation().derivativeFromOutput(o[k]);
        }
        return delta;
    }

    /** A copy of the parameter names, for reports. */
    public List<String> parameterNames() {
        return new ArrayList<>(parameters.keySet());
    }

    /** Sets one parameter element; used by finite differences and by training loops. */
    public void set(String name, int index, double value) {
        parameters.get(name)[index] = value;
    }
}
