package org.rnnlab.reference;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

/**
 * A recurrent network written out by hand, in double precision and plain Java (no ND4J in its
 * maths), to check DL4J against: stacked recurrent layers of SimpleRnn, LSTM and GRU cells (mixed as
 * wished, see {@link ReferenceCell}), an output layer at every step or at the last step only, three
 * losses, feature and label masks, carried-over initial states, and backpropagation through time as
 * the seeds write it, written out through the gates and the LSTM's cell state too.
 *
 * <p>Parameters use DL4J's names and layout so that they copy across one to one: recurrent layer
 * {@code l} has {@code l_W} [nIn, k nOut], {@code l_RW} [nOut, k nOut] and {@code l_b} [k nOut], k the
 * cell's column blocks (1 for SimpleRnn, 4 for LSTM, 3 for GRU, which with reset after has a second
 * bias {@code l_RB} [3 nOut]); the output layer, numbered after the recurrent ones, has {@code L_W}
 * [nIn, nOut] and {@code L_b}. Matrices are flattened in column-major ('f') order: element (i, j) of a
 * matrix with r rows sits at {@code i + r * j}.
 *
 * <p>Arrays are indexed [example][time step][unit]. A feature mask is [example][time step] with 1
 * for real steps and 0 for padding; a label mask weights each step's loss.
 */
public final class ReferenceRnn {

    // Column blocks of W, RW and b (ReferenceCell says where each order comes from).
    private static final int LSTM_CELL_INPUT = 0;
    private static final int LSTM_FORGET_GATE = 1;
    private static final int LSTM_OUTPUT_GATE = 2;
    private static final int LSTM_INPUT_GATE = 3;
    private static final int GRU_UPDATE_GATE = 0;
    private static final int GRU_RESET_GATE = 1;
    private static final int GRU_CANDIDATE = 2;

    /**
     * A recurrent layer of {@code nOut} units: a SimpleRnn, h_t = φ(x_t W + h_{t-1} RW + b), or an
     * LSTM or GRU cell with {@code activation} as its φ and sigmoid gates. Without bias the layer has
     * no b (nor RB).
     */
    public record Recurrent(int nIn, int nOut, ReferenceActivation activation, boolean bias, ReferenceCell cell) {
        public Recurrent {
            if (activation == ReferenceActivation.SOFTMAX) {
                throw new IllegalArgumentException("softmax is for output layers");
            }
            Objects.requireNonNull(cell, "cell");
        }

        /** A SimpleRnn layer. */
        public Recurrent(int nIn, int nOut, ReferenceActivation activation, boolean bias) {
            this(nIn, nOut, activation, bias, ReferenceCell.SIMPLE);
        }

        /** Columns of W and RW, and the length of b: one block of nOut per gate. */
        int columns() {
            return cell.blocks() * nOut;
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
     * States carried over from an earlier chunk, as truncated BPTT does from the second chunk of a
     * stream on: {@code hidden[l][n]} is h_0 of layer l for example n, {@code cells[l][n]} c_0 of an
     * LSTM layer. Either array, or one layer's entry, may be null for zeros. They are constants: no
     * gradient flows back into the chunk before.
     */
    public record InitialStates(double[][][] hidden, double[][][] cells) {
        double[] hidden(int layer, int example, int units) {
            return state(hidden, layer, example, units);
        }

        double[] cell(int layer, int example, int units) {
            return state(cells, layer, example, units);
        }

        private static double[] state(double[][][] states, int layer, int example, int units) {
            return states == null || states[layer] == null ? new double[units] : states[layer][example].clone();
        }
    }

    /**
     * One evaluation's data.
     *
     * @param features      [n][T][nIn]
     * @param labels        [n][T][nOut] for per-step outputs, [n][1][nOut] for last-step outputs
     * @param featureMask   [n][T] or null
     * @param labelMask     [n][T] (per-step outputs) or null for all ones
     * @param initialStates the states each layer starts from, or null for zeros
     */
    public record Batch(double[][][] features, double[][][] labels, double[][] featureMask, double[][] labelMask,
            InitialStates initialStates) {

        /** A batch whose every layer starts from zero states. */
        public Batch(double[][][] features, double[][][] labels, double[][] featureMask, double[][] labelMask) {
            this(features, labels, featureMask, labelMask, null);
        }

        /** The same data, starting from {@code states}. */
        public Batch withInitialStates(InitialStates states) {
            return new Batch(features, labels, featureMask, labelMask, states);
        }

        int size() {
            return features.length;
        }

        int steps() {
            return features[0].length;
        }

        double featureMask(int n, int t) {
            return featureMask == null ? 1.0 : featureMask[n][t];
        }

        /** h_0 of a layer for one example: zero unless carried over. */
        double[] initialHidden(int layer, int n, int units) {
            return initialStates == null ? new double[units] : initialStates.hidden(layer, n, units);
        }

        /** c_0 of an LSTM layer for one example: zero unless carried over. */
        double[] initialCell(int layer, int n, int units) {
            return initialStates == null ? new double[units] : initialStates.cell(layer, n, units);
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
            parameters.put(l + "_W", new double[layer.nIn() * layer.columns()]);
            parameters.put(l + "_RW", new double[layer.nOut() * layer.columns()]);
            if (layer.bias()) {
                for (String key : layer.cell().biasKeys()) {
                    parameters.put(l + "_" + key, new double[layer.columns()]);
                }
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

    /** One recurrent layer's arrays by DL4J key, parameters or their gradients; b and RB null where it has none. */
    private record LayerArrays(double[] w, double[] rw, double[] b, double[] rb) {
        static LayerArrays of(Map<String, double[]> arrays, int layer) {
            return new LayerArrays(arrays.get(layer + "_W"), arrays.get(layer + "_RW"), arrays.get(layer + "_b"),
                    arrays.get(layer + "_RB"));
        }
    }

    // ---- Forward pass

    /**
     * One layer's step for one example, before the mask, as BPTT needs it again.
     *
     * @param blocks             each column block's activated value, in W's column order: SimpleRnn's
     *                           a = φ(z); LSTM's g, f, o, i; GRU's z, r, h~
     * @param output             h_t
     * @param cell               LSTM: c_t; null for the others
     * @param cellActivation     LSTM: φ(c_t); null for the others
     * @param recurrentCandidate GRU with reset after: h_{t-1} RW_h + RB_h, which r scales; null for the others
     */
    private record Step(double[] blocks, double[] output, double[] cell, double[] cellActivation,
            double[] recurrentCandidate) {
    }

    /**
     * Every layer's steps [l][n][t], and the states they pass on after the mask: h [l][n][t][unit] as
     * the next step and the layer above see it, c likewise (null for layers without a cell state).
     */
    private record Forward(Step[][][] steps, double[][][][] hidden, double[][][][] cells, int[] lastStep,
            double[][][] outputs) {
    }

    private Forward forward(Batch batch) {
        int n = batch.size();
        int steps = batch.steps();
        Step[][][] s = new Step[layers.size()][n][steps];
        double[][][][] h = new double[layers.size()][n][steps][];
        double[][][][] c = new double[layers.size()][][][];
        for (int l = 0; l < layers.size(); l++) {
            Recurrent layer = layers.get(l);
            LayerArrays p = LayerArrays.of(parameters, l);
            double[][][] in = l == 0 ? batch.features() : h[l - 1];
            boolean hasCell = layer.cell().hasCellState();
            c[l] = hasCell ? new double[n][steps][] : null;
            for (int e = 0; e < n; e++) {
                double[] previous = batch.initialHidden(l, e, layer.nOut());
                double[] previousCell = hasCell ? batch.initialCell(l, e, layer.nOut()) : null;
                for (int t = 0; t < steps; t++) {
                    Step step = switch (layer.cell()) {
                        case SIMPLE -> simpleStep(layer, p, in[e][t], previous);
                        case LSTM -> lstmStep(layer, p, in[e][t], previous, previousCell);
                        case GRU, GRU_RESET_AFTER -> gruStep(layer, p, in[e][t], previous);
                    };
                    s[l][e][t] = step;
                    // A layer that applies the mask zeroes a masked step's output, and that zero is what the
                    // next step sees (an LSTM's cell state too).
                    double mask = stepMask(l, batch, e, t);
                    h[l][e][t] = masked(step.output(), mask);
                    previous = h[l][e][t];
                    if (hasCell) {
                        c[l][e][t] = masked(step.cell(), mask);
                        previousCell = c[l][e][t];
                    }
                }
            }
        }

        double[][][] top = h[layers.size() - 1];
        int[] last = new int[n];
        double[][][] outputs = new double[n][][];
        for (int e = 0; e < n; e++) {
            last[e] = steps - 1;
            while (last[e] > 0 && batch.featureMask(e, last[e]) == 0) {
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
        return new Forward(s, h, c, last, outputs);
    }

    /**
     * Whether recurrent layer l applies the feature mask to its own steps, multiplying h (and an
     * LSTM's c) by it, so that a masked step outputs 0 and the next starts from zero states. DL4J's
     * SimpleRnn always does, and so does rnnlab's GRU. DL4J 1.0.0-M2.1's LSTM does only as the layer
     * LastTimeStep wraps: layers.recurrent.LSTM's feedForwardMaskArray passes the mask on without
     * keeping it, so LSTMHelpers sees none and computes a masked step like any other (the label mask,
     * LastTimeStep or a layer above deal with it), but LastTimeStepLayer.feedForwardMaskArray sets
     * the mask on the layer it wraps.
     */
    public boolean appliesFeatureMask(int l) {
        return layers.get(l).cell() != ReferenceCell.LSTM || (l == layers.size() - 1 && output.lastStepOnly());
    }

    /** The mask layer l applies to one step of one example: the feature mask, or 1 where it applies none. */
    private double stepMask(int l, Batch batch, int e, int t) {
        return appliesFeatureMask(l) ? batch.featureMask(e, t) : 1.0;
    }

    private static double[] masked(double[] values, double mask) {
        double[] out = new double[values.length];
        for (int j = 0; j < values.length; j++) {
            out[j] = mask * values[j];
        }
        return out;
    }

    /**
     * SimpleRnn: z_t = x_t W + h_{t-1} RW + b (seed 000's W h_{l-1} + Whh h_l^{n-1} + b, seed 001's
     * h_{t+1}), h_t = a = φ(z_t).
     */
    private static Step simpleStep(Recurrent layer, LayerArrays p, double[] x, double[] previous) {
        double[] a = preActivations(p, x, previous, layer.columns());
        for (int j = 0; j < a.length; j++) {
            a[j] = layer.activation().apply(a[j]);
        }
        return new Step(a, a, null, null, null);
    }

    /**
     * LSTM (Hochreiter and Schmidhuber 1997, "Long short-term memory"; the forget gate of Gers,
     * Schmidhuber and Cummins 2000, "Learning to forget"; Greff et al. 2015's no-peephole variant), in
     * DL4J's block order [g, f, o, i]:
     * g = φ(x W_g + h_{t-1} RW_g + b_g), f, o, i = sigmoid(x W_* + h_{t-1} RW_* + b_*),
     * c_t = f ⊙ c_{t-1} + i ⊙ g, h_t = o ⊙ φ(c_t).
     */
    private static Step lstmStep(Recurrent layer, LayerArrays p, double[] x, double[] previous, double[] previousCell) {
        int u = layer.nOut();
        double[] blocks = preActivations(p, x, previous, layer.columns()); // DL4J's ifogActivations
        double[] cell = new double[u];
        double[] cellActivation = new double[u];
        double[] h = new double[u];
        for (int j = 0; j < u; j++) {
            double g = blocks[LSTM_CELL_INPUT * u + j] = layer.activation().apply(blocks[LSTM_CELL_INPUT * u + j]);
            double f = blocks[LSTM_FORGET_GATE * u + j] = sigmoid(blocks[LSTM_FORGET_GATE * u + j]);
            double o = blocks[LSTM_OUTPUT_GATE * u + j] = sigmoid(blocks[LSTM_OUTPUT_GATE * u + j]);
            double i = blocks[LSTM_INPUT_GATE * u + j] = sigmoid(blocks[LSTM_INPUT_GATE * u + j]);
            cell[j] = f * previousCell[j] + i * g;
            cellActivation[j] = layer.activation().apply(cell[j]);
            h[j] = o * cellActivation[j];
        }
        return new Step(blocks, h, cell, cellActivation, null);
    }

    /**
     * GRU (Cho et al. 2014; Keras's block order [z, r, h~]):
     * z = sigmoid(x W_z + b_z + h_{t-1} RW_z [+ RB_z]), r = sigmoid(x W_r + b_r + h_{t-1} RW_r [+ RB_r]),
     * h~ = φ(x W_h + b_h + (r ⊙ h_{t-1}) RW_h) without reset after,
     * h~ = φ(x W_h + b_h + r ⊙ (h_{t-1} RW_h + RB_h)) with it; h_t = z ⊙ h_{t-1} + (1 - z) ⊙ h~.
     */
    private static Step gruStep(Recurrent layer, LayerArrays p, double[] x, double[] previous) {
        int u = layer.nOut();
        boolean resetAfter = layer.cell() == ReferenceCell.GRU_RESET_AFTER;
        double[] blocks = new double[layer.columns()];
        // z and r: both products and both biases over the first two blocks.
        double[] gates = bias(p.b(), 0, 2 * u);
        addProduct(gates, x, p.w(), 0);
        addBias(gates, p.rb(), 0);
        addProduct(gates, previous, p.rw(), 0);
        for (int j = 0; j < 2 * u; j++) {
            blocks[j] = sigmoid(gates[j]);
        }
        double[] candidate = bias(p.b(), GRU_CANDIDATE * u, u);
        addProduct(candidate, x, p.w(), GRU_CANDIDATE * u);
        double[] recurrentCandidate = null;
        if (resetAfter) {
            recurrentCandidate = bias(p.rb(), GRU_CANDIDATE * u, u);
            addProduct(recurrentCandidate, previous, p.rw(), GRU_CANDIDATE * u);
            for (int j = 0; j < u; j++) {
                candidate[j] += blocks[GRU_RESET_GATE * u + j] * recurrentCandidate[j];
            }
        } else {
            double[] resetPrevious = new double[u];
            for (int k = 0; k < u; k++) {
                resetPrevious[k] = blocks[GRU_RESET_GATE * u + k] * previous[k];
            }
            addProduct(candidate, resetPrevious, p.rw(), GRU_CANDIDATE * u);
        }
        double[] h = new double[u];
        for (int j = 0; j < u; j++) {
            double z = blocks[GRU_UPDATE_GATE * u + j];
            double candidateValue = blocks[GRU_CANDIDATE * u + j] = layer.activation().apply(candidate[j]);
            h[j] = z * previous[j] + (1 - z) * candidateValue;
        }
        return new Step(blocks, h, null, null, recurrentCandidate);
    }

    /** b + x W + h RW over all of a layer's columns, added in that order. */
    private static double[] preActivations(LayerArrays p, double[] x, double[] previous, int columns) {
        double[] z = bias(p.b(), 0, columns);
        addProduct(z, x, p.w(), 0);
        addProduct(z, previous, p.rw(), 0);
        return z;
    }

    private static double sigmoid(double z) {
        return ReferenceActivation.SIGMOID.apply(z);
    }

    /** A copy of elements [from, from + length) of a bias; zeros for a layer without one. */
    private static double[] bias(double[] b, int from, int length) {
        double[] z = new double[length];
        if (b != null) {
            System.arraycopy(b, from, z, 0, length);
        }
        return z;
    }

    /** z_j += b_{from + j}; nothing for a layer without the bias. */
    private static void addBias(double[] z, double[] b, int from) {
        if (b != null) {
            for (int j = 0; j < z.length; j++) {
                z[j] += b[from + j];
            }
        }
    }

    /**
     * z_j += sum_i v_i M(i, from + j) for j in [0, z.length): the row vector v times z.length columns
     * of M from column {@code from} on; M has v.length rows.
     */
    private static void addProduct(double[] z, double[] v, double[] m, int from) {
        int rows = v.length;
        for (int j = 0; j < z.length; j++) {
            for (int i = 0; i < rows; i++) {
                z[j] += v[i] * m[i + rows * (from + j)];
            }
        }
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
        return hiddenStates(new Batch(features, null, featureMask, null));
    }

    /** The same from the batch's initial states (its labels are not used). */
    public double[][][] hiddenStates(Batch batch) {
        return forward(batch).hidden()[layers.size() - 1];
    }

    /** Outputs [n][T][nOut] (or [n][1][nOut] for last-step outputs). */
    public double[][][] output(double[][][] features, double[][] featureMask) {
        return forward(new Batch(features, null, featureMask, null)).outputs();
    }

    /** The score of a batch, from the batch's initial states. */
    public double score(Batch batch) {
        Forward f = forward(batch);
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

    /**
     * The same as {@link #forwardBackward(Batch)}, starting from carried-over hidden states h_0
     * ({@code initialStates[l][n]}, see {@link InitialStates}) instead of the batch's own.
     */
    public Result forwardBackward(Batch batch, double[][][] initialStates) {
        return forwardBackward(batch.withInitialStates(new InitialStates(initialStates, null)));
    }

    /** Score, outputs and every gradient of a batch, from the batch's initial states. */
    public Result forwardBackward(Batch batch) {
        Forward f = forward(batch);
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
            int nOut = layer.nOut();
            LayerArrays p = LayerArrays.of(parameters, l);
            LayerArrays g = LayerArrays.of(gradients, l);
            double[][][] in = l == 0 ? batch.features() : f.hidden()[l - 1];
            double[][][] toBelow = new double[n][steps][layer.nIn()];
            for (int e = 0; e < n; e++) {
                double[] fromNextStep = new double[nOut]; // seed 002's dhnext, zero after the last step
                double[] cellFromNextStep = new double[nOut]; // dScore/dc_t through step t + 1 (LSTM only)
                for (int t = steps - 1; t >= 0; t--) {
                    double mask = stepMask(l, batch, e, t);
                    Step step = f.steps()[l][e][t];
                    double[] previous = t > 0 ? f.hidden()[l][e][t - 1] : batch.initialHidden(l, e, nOut);
                    // The error on this step's h before the mask: from the layer above and from the next
                    // step. A step the layer masks passes nothing back.
                    double[] dh = new double[nOut];
                    for (int j = 0; j < nOut; j++) {
                        dh[j] = mask * (fromAbove[e][t][j] + fromNextStep[j]);
                    }
                    double[] nextFromNextStep = new double[nOut];
                    switch (layer.cell()) {
                        case SIMPLE -> simpleBackward(layer, p, g, step, in[e][t], previous, dh, toBelow[e][t],
                                nextFromNextStep);
                        case LSTM -> {
                            double[] previousCell = t > 0 ? f.cells()[l][e][t - 1] : batch.initialCell(l, e, nOut);
                            double[] dc = masked(cellFromNextStep, mask);
                            cellFromNextStep = lstmBackward(layer, p, g, step, in[e][t], previous, previousCell, dh, dc,
                                    toBelow[e][t], nextFromNextStep);
                        }
                        case GRU, GRU_RESET_AFTER -> gruBackward(layer, p, g, step, in[e][t], previous, dh,
                                toBelow[e][t], nextFromNextStep);
                    }
                    fromNextStep = nextFromNextStep;
                }
            }
            fromAbove = toBelow;
        }
        return new Result(score / divisor, f.outputs(), gradients);
    }

    /**
     * SimpleRnn, one step back: delta = dh * φ'(z) (seed 000's update factor, seed 002's
     * dhraw = (1 - h^2) * dh), then back through x W + h RW + b.
     */
    private static void simpleBackward(Recurrent layer, LayerArrays p, LayerArrays g, Step step, double[] x,
            double[] previous, double[] dh, double[] dx, double[] dPrevious) {
        double[] dz = new double[dh.length];
        for (int j = 0; j < dz.length; j++) {
            dz[j] = dh[j] * layer.activation().derivativeFromOutput(step.blocks()[j]);
        }
        backThroughPreActivations(dz, p, g, x, previous, dx, dPrevious);
    }

    /**
     * LSTM, one step back from dh = dScore/dh_t and dc = dScore/dc_t (Greff et al. 2015's deltas
     * without peepholes, DL4J's LSTMHelpers.backpropGradientHelper):
     * do = dh ⊙ φ(c_t); the cell's whole error dc += dh ⊙ o ⊙ φ'(c_t); then df = dc ⊙ c_{t-1},
     * di = dc ⊙ g, dg = dc ⊙ i, and dc_{t-1} = dc ⊙ f. Each block's pre-activation error is its
     * error times its activation's derivative, and goes back through x W + h RW + b.
     *
     * @return dScore/dc_{t-1}
     */
    private static double[] lstmBackward(Recurrent layer, LayerArrays p, LayerArrays g, Step step, double[] x,
            double[] previous, double[] previousCell, double[] dh, double[] dc, double[] dx, double[] dPrevious) {
        int u = layer.nOut();
        double[] a = step.blocks();
        double[] dz = new double[layer.columns()];
        double[] dPreviousCell = new double[u];
        for (int j = 0; j < u; j++) {
            double gValue = a[LSTM_CELL_INPUT * u + j];
            double f = a[LSTM_FORGET_GATE * u + j];
            double o = a[LSTM_OUTPUT_GATE * u + j];
            double i = a[LSTM_INPUT_GATE * u + j];
            double cellError = dc[j]
                    + dh[j] * o * layer.activation().derivativeFromOutput(step.cellActivation()[j]);
            double outputError = dh[j] * step.cellActivation()[j];
            dz[LSTM_CELL_INPUT * u + j] = cellError * i * layer.activation().derivativeFromOutput(gValue);
            dz[LSTM_FORGET_GATE * u + j] = cellError * previousCell[j] * f * (1 - f);
            dz[LSTM_OUTPUT_GATE * u + j] = outputError * o * (1 - o);
            dz[LSTM_INPUT_GATE * u + j] = cellError * gValue * i * (1 - i);
            dPreviousCell[j] = cellError * f;
        }
        backThroughPreActivations(dz, p, g, x, previous, dx, dPrevious);
        return dPreviousCell;
    }

    /**
     * GRU, one step back from dh = dScore/dh_t, through h_t = z ⊙ h_{t-1} + (1 - z) ⊙ h~:
     * dz = dh ⊙ (h_{t-1} - h~), dh~ = dh ⊙ (1 - z), and dh_{t-1} gets dh ⊙ z directly. The
     * candidate's pre-activation error e = dh~ ⊙ φ'(h~) goes back through x W_h + b_h, and through
     * (r ⊙ h_{t-1}) RW_h (then dr = (RW_h e) ⊙ h_{t-1}, dh_{t-1} += (RW_h e) ⊙ r) or, with reset
     * after, through r ⊙ q, q = h_{t-1} RW_h + RB_h (then dr = e ⊙ q and q's error is e ⊙ r). The
     * gates' pre-activation errors dz z (1 - z) and dr r (1 - r) go back through their products and
     * biases.
     */
    private static void gruBackward(Recurrent layer, LayerArrays p, LayerArrays g, Step step, double[] x,
            double[] previous, double[] dh, double[] dx, double[] dPrevious) {
        int u = layer.nOut();
        double[] a = step.blocks();
        double[] candidateError = new double[u];
        for (int j = 0; j < u; j++) {
            double z = a[GRU_UPDATE_GATE * u + j];
            double candidate = a[GRU_CANDIDATE * u + j];
            dPrevious[j] += dh[j] * z;
            candidateError[j] = dh[j] * (1 - z) * layer.activation().derivativeFromOutput(candidate);
        }
        int candidateColumns = GRU_CANDIDATE * u;
        backBias(candidateError, g.b(), candidateColumns);
        backProduct(candidateError, x, p.w(), g.w(), candidateColumns, dx);
        double[] resetError = new double[u];
        if (layer.cell() == ReferenceCell.GRU_RESET_AFTER) {
            double[] recurrentError = new double[u];
            for (int j = 0; j < u; j++) {
                recurrentError[j] = candidateError[j] * a[GRU_RESET_GATE * u + j];
                resetError[j] = candidateError[j] * step.recurrentCandidate()[j];
            }
            backBias(recurrentError, g.rb(), candidateColumns);
            backProduct(recurrentError, previous, p.rw(), g.rw(), candidateColumns, dPrevious);
        } else {
            double[] resetPrevious = new double[u];
            for (int k = 0; k < u; k++) {
                resetPrevious[k] = a[GRU_RESET_GATE * u + k] * previous[k];
            }
            double[] resetPreviousError = new double[u];
            backProduct(candidateError, resetPrevious, p.rw(), g.rw(), candidateColumns, resetPreviousError);
            for (int k = 0; k < u; k++) {
                dPrevious[k] += resetPreviousError[k] * a[GRU_RESET_GATE * u + k];
                resetError[k] = resetPreviousError[k] * previous[k];
            }
        }
        double[] gateErrors = new double[2 * u];
        for (int j = 0; j < u; j++) {
            double z = a[GRU_UPDATE_GATE * u + j];
            double r = a[GRU_RESET_GATE * u + j];
            double candidate = a[GRU_CANDIDATE * u + j];
            gateErrors[GRU_UPDATE_GATE * u + j] = dh[j] * (previous[j] - candidate) * z * (1 - z);
            gateErrors[GRU_RESET_GATE * u + j] = resetError[j] * r * (1 - r);
        }
        backBias(gateErrors, g.rb(), 0);
        backThroughPreActivations(gateErrors, p, g, x, previous, dx, dPrevious);
    }

    /**
     * Back through b + x W + h RW for the first d.length columns, d the pre-activations' error:
     * db += d (seed 002's dbh += dhraw), dW += x^T d (dWxh += dhraw x^T), dRW += h^T d
     * (dWhh += dhraw h_{t-1}^T); the layer below gets W d (seed 000's S delta = W^T delta), the step
     * before RW d (T delta = Whh^T delta).
     */
    private static void backThroughPreActivations(double[] d, LayerArrays p, LayerArrays g, double[] x,
            double[] previous, double[] dx, double[] dPrevious) {
        backBias(d, g.b(), 0);
        backProduct(d, x, p.w(), g.w(), 0, dx);
        backProduct(d, previous, p.rw(), g.rw(), 0, dPrevious);
    }

    /** {@link #addBias} backwards: db_{from + j} += d_j; nothing for a layer without the bias. */
    private static void backBias(double[] d, double[] db, int from) {
        if (db != null) {
            for (int j = 0; j < d.length; j++) {
                if (d[j] != 0) {
                    db[from + j] += d[j];
                }
            }
        }
    }

    /**
     * {@link #addProduct} backwards, d the error of its z: dM(i, from + j) += v_i d_j and
     * dv_i += M(i, from + j) d_j. Columns whose error is exactly zero (masked steps) are skipped.
     */
    private static void backProduct(double[] d, double[] v, double[] m, double[] dm, int from, double[] dv) {
        int rows = v.length;
        for (int j = 0; j < d.length; j++) {
            if (d[j] == 0) {
                continue;
            }
            for (int i = 0; i < rows; i++) {
                dm[i + rows * (from + j)] += v[i] * d[j];
                dv[i] += m[i + rows * (from + j)] * d[j];
            }
        }
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
