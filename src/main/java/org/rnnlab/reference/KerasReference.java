package org.rnnlab.reference;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A chain of Keras layers written out from Keras's own equations, forward and backward, in double
 * precision and plain Java: SimpleRNN, LSTM and GRU (both {@code reset_after} forms), Bidirectional
 * of those, Dense (per step on sequences, as Keras applies it and as TimeDistributed(Dense) does),
 * Activation, RepeatVector and a first Embedding. It is the reference an imported Keras model is checked against: outputs, a mean
 * squared error score and the gradient of that score with respect to every Keras weight.
 *
 * <p>Weights go by their Keras roles: {@code <layer>/kernel} [in, k units], {@code <layer>/recurrent_kernel}
 * [units, k units] and {@code <layer>/bias} ([k units], or [2, 3 units] for a GRU with reset after: the
 * input bias, then the recurrent one), with {@code forward/} or {@code backward/} after the layer name
 * inside a Bidirectional; k is 1, 4 (gates i, f, c, o) or 3 (z, r, h); an Embedding's table is
 * {@code <layer>/embeddings} [inputDim, outputDim]. Matrices are stored row-major.
 *
 * <p>Sequences are [example][step][unit]; a layer that returns only its last step gives [example][1][unit].
 */
public final class KerasReference {

    /** 0.2 as float32 holds it (docs/keras.md, "Gradient checks"). */
    static final double HARD_SIGMOID_SLOPE = 0.2f;

    /** Keras's element-wise activations, and softmax over a vector. */
    public enum Activation {
        LINEAR, TANH, RELU, SIGMOID,
        /**
         * Keras 2's {@code hard_sigmoid}: clip(0.2 x + 0.5, 0, 1), the slope being 0.2 in float32
         * (0.20000000298...), as Keras computes it in float32 and DL4J's op computes it even in double.
         */
        HARD_SIGMOID,
        SOFTMAX;

        /** The activation named as Keras's config names it. */
        public static Activation of(String keras) {
            return switch (keras) {
                case "linear" -> LINEAR;
                case "tanh" -> TANH;
                case "relu" -> RELU;
                case "sigmoid" -> SIGMOID;
                case "hard_sigmoid" -> HARD_SIGMOID;
                case "softmax" -> SOFTMAX;
                default -> throw new IllegalArgumentException("the reference has no activation " + keras);
            };
        }

        double apply(double z) {
            return switch (this) {
                case LINEAR -> z;
                case TANH -> Math.tanh(z);
                case RELU -> Math.max(0, z);
                case SIGMOID -> 1 / (1 + Math.exp(-z));
                case HARD_SIGMOID -> Math.max(0, Math.min(1, HARD_SIGMOID_SLOPE * z + 0.5));
                case SOFTMAX -> throw new IllegalStateException("softmax acts on a vector");
            };
        }

        /** f'(z) from a = f(z); at hard sigmoid's and ReLU's kinks, the value of the flat side. */
        double derivativeFromOutput(double a) {
            return switch (this) {
                case LINEAR -> 1;
                case TANH -> 1 - a * a;
                case RELU -> a > 0 ? 1 : 0;
                case SIGMOID -> a * (1 - a);
                case HARD_SIGMOID -> a > 0 && a < 1 ? HARD_SIGMOID_SLOPE : 0;
                case SOFTMAX -> throw new IllegalStateException("softmax has a Jacobian");
            };
        }

        /** Whether f is piecewise linear, with kinks where finite differences do not hold. */
        boolean piecewise() {
            return this == RELU || this == HARD_SIGMOID;
        }

        /** The linear piece z lies on: ReLU's 0 (flat) or 1; hard sigmoid's 0 (low), 1 (slope) or 2 (high). */
        int piece(double z) {
            if (this == RELU) {
                return z > 0 ? 1 : 0;
            }
            double a = HARD_SIGMOID_SLOPE * z + 0.5;
            return a <= 0 ? 0 : a >= 1 ? 2 : 1;
        }

        /** f on one piece, extended past its ends. */
        double onPiece(int piece, double z) {
            if (this == RELU) {
                return piece == 1 ? z : 0;
            }
            return piece == 0 ? 0 : piece == 2 ? 1 : HARD_SIGMOID_SLOPE * z + 0.5;
        }

        /** dL/dz from dL/da and a = f(z); softmax's Jacobian-vector product is p ⊙ (da − da·p). */
        double[] backward(double[] a, double[] da) {
            double[] dz = new double[a.length];
            if (this == SOFTMAX) {
                double dot = 0;
                for (int j = 0; j < a.length; j++) {
                    dot += da[j] * a[j];
                }
                for (int j = 0; j < a.length; j++) {
                    dz[j] = a[j] * (da[j] - dot);
                }
                return dz;
            }
            for (int j = 0; j < a.length; j++) {
                dz[j] = da[j] * derivativeFromOutput(a[j]);
            }
            return dz;
        }
    }

    /** The recurrent cells, each with its column blocks. */
    public enum Cell {
        SIMPLE_RNN(1), LSTM(4), GRU(3),
        /** tf.keras 2's default GRU: the reset gate applied after the recurrent matrix product, with a second bias. */
        GRU_RESET_AFTER(3);

        final int blocks;

        Cell(int blocks) {
            this.blocks = blocks;
        }
    }

    /** One layer of the chain. */
    public sealed interface Layer permits Embedding, Recurrent, Bidirectional, Dense, ActivationLayer, RepeatVector {
        String name();
    }

    /**
     * A recurrent layer over every step of its input: h_t = φ(x_t K + h_{t-1} R + b) for SimpleRNN,
     * Keras's LSTM and GRU equations otherwise (see {@link #step}); {@code backwards} runs it from the
     * last step to the first, as Bidirectional's backward half does.
     */
    public record Recurrent(String name, Cell cell, int units, Activation activation, Activation gate,
            boolean returnSequences, boolean backwards) implements Layer {
    }

    /** A forward and a backward recurrent layer over the same input, merged by concat, sum, mul or ave. */
    public record Bidirectional(String name, Recurrent forward, Recurrent backward, String merge) implements Layer {
        public Bidirectional {
            if (!List.of("concat", "sum", "mul", "ave").contains(merge)) {
                throw new IllegalArgumentException("the reference has no merge mode " + merge);
            }
        }
    }

    /** y = φ(x K + b), at every step of a sequence. */
    public record Dense(String name, int units, Activation activation) implements Layer {
    }

    /**
     * The first layer only: row x_t of {@code <name>/embeddings} [inputDim, outputDim] at each step,
     * its input one index a step ([example][step][0], an integer in [0, inputDim)).
     */
    public record Embedding(String name, int inputDim, int outputDim) implements Layer {
    }

    /** A vector (a layer's last-step output) repeated at each of {@code n} steps. */
    public record RepeatVector(String name, int n) implements Layer {
    }

    /** y = φ(x), element-wise (or softmax). */
    public record ActivationLayer(String name, Activation activation) implements Layer {
    }

    /** Outputs, score, and the gradient of the score by weight key. */
    public record Result(double[][][] outputs, double score, Map<String, double[]> gradients) {
    }

    private final List<Layer> layers;
    private final Map<String, double[]> weights = new LinkedHashMap<>();
    /**
     * Pieces of the piecewise-linear activations, one per call in forward order: recorded once at
     * the weights under check, then replayed while finite differences nudge them (see
     * {@link #scoreOnPiecesOf}).
     */
    private int[] pieces = new int[0];
    private int pieceCount;
    private int pieceCursor;
    private boolean recording;
    private boolean replaying;
    private final Map<String, int[]> shapes = new LinkedHashMap<>();

    /** The chain, with its weights zero until {@link #weight} fills them. */
    public KerasReference(int features, List<Layer> layers) {
        this.layers = List.copyOf(layers);
        int width = features;
        for (Layer layer : layers) {
            if (layer instanceof Recurrent r) {
                width = addRecurrent(r, "", width);
            } else if (layer instanceof Bidirectional b) {
                int units = addRecurrent(b.forward(), "forward/", width);
                addRecurrent(b.backward(), "backward/", width);
                width = b.merge().equals("concat") ? 2 * units : units;
            } else if (layer instanceof Dense d) {
                add(d.name() + "/kernel", width, d.units());
                add(d.name() + "/bias", 1, d.units());
                width = d.units();
            } else if (layer instanceof Embedding e) {
                if (layer != layers.get(0)) {
                    throw new IllegalArgumentException("an Embedding must be the first layer");
                }
                add(e.name() + "/embeddings", e.inputDim(), e.outputDim());
                width = e.outputDim();
            }
        }
    }

    private int addRecurrent(Recurrent r, String part, int width) {
        String prefix = prefix(r, part);
        int columns = r.cell().blocks * r.units();
        add(prefix + "kernel", width, columns);
        add(prefix + "recurrent_kernel", r.units(), columns);
        add(prefix + "bias", r.cell() == Cell.GRU_RESET_AFTER ? 2 : 1, columns);
        return r.units();
    }

    private static String prefix(Recurrent r, String part) {
        return r.name() + "/" + part;
    }

    private void add(String key, int rows, int columns) {
        weights.put(key, new double[rows * columns]);
        shapes.put(key, new int[] {rows, columns});
    }

    public List<Layer> layers() {
        return layers;
    }

    /** Every weight by key, row-major and live: writing one changes the network. */
    public Map<String, double[]> weights() {
        return Collections.unmodifiableMap(weights);
    }

    /** [rows, columns] of a weight (a bias has one row, or two for GRU_RESET_AFTER). */
    public int[] shape(String key) {
        return shapes.get(key).clone();
    }

    /** Fills weight {@code key} from a [rows][columns] matrix of its shape. */
    public void weight(String key, double[][] matrix) {
        int[] shape = shapes.get(key);
        if (shape == null) {
            throw new IllegalArgumentException("no weight " + key + " among " + weights.keySet());
        }
        if (matrix.length != shape[0] || matrix[0].length != shape[1]) {
            throw new IllegalArgumentException("weight " + key + " is " + shape[0] + " x " + shape[1] + ", given "
                    + matrix.length + " x " + matrix[0].length);
        }
        for (int i = 0; i < shape[0]; i++) {
            System.arraycopy(matrix[i], 0, weights.get(key), i * shape[1], shape[1]);
        }
    }

    /** What Keras's predict returns for x. */
    public double[][][] predict(double[][][] x) {
        return forward(x).output();
    }

    /**
     * The mean squared error of the outputs against {@code targets} (same shape), as DL4J's LossMSE
     * scores it: the squared error of each output vector divided by its length, summed, then divided
     * by {@code divisor} (DL4J's minibatch: the rows of its label array).
     */
    public double score(double[][][] x, double[][][] targets, int divisor) {
        return mse(forward(x).output(), targets, divisor);
    }

    /**
     * The score as a function of the weights with every ReLU and hard sigmoid held on the linear
     * piece it is on at the current weights. It equals the score near them and its derivative is the
     * one backpropagation takes; unlike the score itself it has no kink within a finite-difference
     * step, so differences of it check the gradient everywhere (a nudge of 1e-3 can carry a unit
     * across a kink, and its estimate then says nothing).
     */
    public java.util.function.DoubleSupplier scoreOnPiecesOf(double[][][] x, double[][][] targets, int divisor) {
        pieceCount = 0;
        recording = true;
        try {
            score(x, targets, divisor);
        } finally {
            recording = false;
        }
        return () -> {
            pieceCursor = 0;
            replaying = true;
            try {
                return score(x, targets, divisor);
            } finally {
                replaying = false;
            }
        };
    }

    /** f(z), through the recorded pieces where {@link #scoreOnPiecesOf} asks for them. */
    private double act(Activation f, double z) {
        if (!f.piecewise() || !(recording || replaying)) {
            return f.apply(z);
        }
        if (replaying) {
            return f.onPiece(pieces[pieceCursor++], z);
        }
        if (pieceCount == pieces.length) {
            pieces = Arrays.copyOf(pieces, Math.max(1024, 2 * pieceCount));
        }
        pieces[pieceCount++] = f.piece(z);
        return f.apply(z);
    }

    private double[] act(Activation f, double[] z) {
        if (f == Activation.SOFTMAX) {
            return ReferenceActivation.softmax(z);
        }
        double[] a = new double[z.length];
        for (int j = 0; j < z.length; j++) {
            a[j] = act(f, z[j]);
        }
        return a;
    }

    /** Outputs, score and every gradient, by backpropagation through the chain and through time. */
    public Result forwardBackward(double[][][] x, double[][][] targets, int divisor) {
        Trace trace = forward(x);
        double[][][] y = trace.output();
        double[][][] dy = new double[y.length][y[0].length][];
        for (int n = 0; n < y.length; n++) {
            for (int t = 0; t < y[n].length; t++) {
                dy[n][t] = new double[y[n][t].length];
                for (int k = 0; k < dy[n][t].length; k++) {
                    dy[n][t][k] = 2 * (y[n][t][k] - targets[n][t][k]) / y[n][t].length / divisor;
                }
            }
        }
        Map<String, double[]> gradients = new LinkedHashMap<>();
        weights.forEach((key, w) -> gradients.put(key, new double[w.length]));
        for (int l = layers.size() - 1; l >= 0; l--) {
            dy = backward(layers.get(l), trace.inputs.get(l), trace.outputs.get(l), trace.states.get(l), dy, gradients);
        }
        return new Result(y, mse(y, targets, divisor), gradients);
    }

    private static double mse(double[][][] y, double[][][] targets, int divisor) {
        double total = 0;
        for (int n = 0; n < y.length; n++) {
            for (int t = 0; t < y[n].length; t++) {
                double squared = 0;
                for (int k = 0; k < y[n][t].length; k++) {
                    squared += (y[n][t][k] - targets[n][t][k]) * (y[n][t][k] - targets[n][t][k]);
                }
                total += squared / y[n][t].length;
            }
        }
        return total / divisor;
    }

    // ---------------------------------------------------------------- forward

    /** Every layer's input and output, and each recurrent layer's per-step states for its backward pass. */
    private record Trace(List<double[][][]> inputs, List<double[][][]> outputs, List<Object> states) {
        double[][][] output() {
            return outputs.get(outputs.size() - 1);
        }
    }

    private Trace forward(double[][][] x) {
        Trace trace = new Trace(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        double[][][] h = x;
        for (Layer layer : layers) {
            trace.inputs.add(h);
            if (layer instanceof Recurrent r) {
                Steps steps = run(r, "", h);
                trace.states.add(steps);
                h = steps.output(r);
            } else if (layer instanceof Bidirectional b) {
                Steps forward = run(b.forward(), "forward/", h);
                Steps backward = run(b.backward(), "backward/", h);
                trace.states.add(new Steps[] {forward, backward});
                h = merge(b.merge(), forward.output(b.forward()), backward.output(b.backward()));
            } else if (layer instanceof Dense d) {
                trace.states.add(null);
                h = dense(d, h);
            } else if (layer instanceof Embedding e) {
                trace.states.add(null);
                double[] table = weights.get(e.name() + "/embeddings");
                h = map(h, index -> Arrays.copyOfRange(table, row(e, index) * e.outputDim(),
                        (row(e, index) + 1) * e.outputDim()));
            } else if (layer instanceof RepeatVector repeat) {
                trace.states.add(null);
                double[][][] repeated = new double[h.length][repeat.n()][];
                for (int n = 0; n < h.length; n++) {
                    for (int t = 0; t < repeat.n(); t++) {
                        repeated[n][t] = h[n][0].clone();
                    }
                }
                h = repeated;
            } else {
                trace.states.add(null);
                Activation activation = ((ActivationLayer) layer).activation();
                h = map(h, v -> act(activation, v));
            }
            trace.outputs.add(h);
        }
        return trace;
    }

    /**
     * One recurrent layer's pass: for each example and step (in processing order), the previous h
     * and c, the gates after their activations, and the new h and c.
     */
    private record Steps(int[] order, double[][][] hPrev, double[][][] cPrev, double[][][] gates,
            double[][][] hNew, double[][][] cNew, double[][][] recurrentProduct) {
        /** Every step's h in time order, or the last processed step's alone. */
        double[][][] output(Recurrent r) {
            int n = hNew.length;
            int steps = order.length;
            double[][][] y = new double[n][r.returnSequences() ? steps : 1][];
            for (int e = 0; e < n; e++) {
                if (r.returnSequences()) {
                    for (int s = 0; s < steps; s++) {
                        y[e][order[s]] = hNew[e][s];
                    }
                } else {
                    y[e][0] = hNew[e][steps - 1];
                }
            }
            return y;
        }
    }

    private Steps run(Recurrent r, String part, double[][][] x) {
        int n = x.length;
        int steps = x[0].length;
        int[] order = new int[steps];
        for (int s = 0; s < steps; s++) {
            order[s] = r.backwards() ? steps - 1 - s : s;
        }
        Steps trace = new Steps(order, new double[n][steps][], new double[n][steps][], new double[n][steps][],
                new double[n][steps][], new double[n][steps][], new double[n][steps][]);
        for (int e = 0; e < n; e++) {
            double[] h = new double[r.units()];
            double[] c = new double[r.units()];
            for (int s = 0; s < steps; s++) {
                trace.hPrev[e][s] = h;
                trace.cPrev[e][s] = c;
                step(r, part, x[e][order[s]], h, c, trace, e, s);
                h = trace.hNew[e][s];
                c = trace.cNew[e][s];
            }
        }
        return trace;
    }

    /**
     * One step of one example, Keras's equations (gates by their blocks of K, R and b):
     * <ul>
     *   <li>SimpleRNN: h = φ(x K + h' R + b);</li>
     *   <li>LSTM, blocks i, f, c, o: i, f, o = σ(·), g = φ(·), c = f ⊙ c' + i ⊙ g, h = o ⊙ φ(c);</li>
     *   <li>GRU, blocks z, r, h: z, r = σ(x K + h' R + b); reset before: ĥ = φ(x K_h + b_h + (r ⊙ h') R_h);
     *       reset after: ĥ = φ(x K_h + b_h + r ⊙ (h' R_h + b'_h)), b' the second bias row;
     *       h = z ⊙ h' + (1 − z) ⊙ ĥ.</li>
     * </ul>
     */
    private void step(Recurrent r, String part, double[] x, double[] hPrev, double[] cPrev, Steps trace, int e,
            int s) {
        String prefix = prefix(r, part);
        int u = r.units();
        int columns = r.cell().blocks * u;
        double[] kernel = weights.get(prefix + "kernel");
        double[] recurrent = weights.get(prefix + "recurrent_kernel");
        double[] bias = weights.get(prefix + "bias");
        double[] a = Arrays.copyOf(bias, columns); // the input bias row
        addProduct(a, x, kernel, columns);
        double[] hr = new double[columns]; // h' R (+ the recurrent bias row, reset after)
        if (r.cell() == Cell.GRU_RESET_AFTER) {
            System.arraycopy(bias, columns, hr, 0, columns);
        }
        double[] gates = new double[columns];
        double[] h = new double[u];
        double[] c = cPrev;
        switch (r.cell()) {
            case SIMPLE_RNN -> {
                addProduct(a, hPrev, recurrent, columns);
                for (int j = 0; j < u; j++) {
                    h[j] = gates[j] = act(r.activation(), a[j]);
                }
            }
            case LSTM -> {
                addProduct(a, hPrev, recurrent, columns);
                c = new double[u];
                for (int j = 0; j < u; j++) {
                    double i = gates[j] = act(r.gate(), a[j]);
                    double f = gates[u + j] = act(r.gate(), a[u + j]);
                    double g = gates[2 * u + j] = act(r.activation(), a[2 * u + j]);
                    double o = gates[3 * u + j] = act(r.gate(), a[3 * u + j]);
                    c[j] = f * cPrev[j] + i * g;
                    h[j] = o * act(r.activation(), c[j]);
                }
            }
            case GRU, GRU_RESET_AFTER -> {
                boolean after = r.cell() == Cell.GRU_RESET_AFTER;
                // z and r from x K + h' R; the candidate's recurrent part separately, as its reset form says.
                double[] zr = new double[columns];
                addProduct(zr, hPrev, recurrent, columns);
                for (int j = 0; j < 2 * u; j++) {
                    gates[j] = act(r.gate(), a[j] + zr[j] + hr[j]);
                }
                double[] reset = Arrays.copyOfRange(gates, u, 2 * u);
                if (after) {
                    for (int j = 0; j < u; j++) {
                        hr[2 * u + j] += zr[2 * u + j];
                        a[2 * u + j] += reset[j] * hr[2 * u + j];
                    }
                } else {
                    double[] resetH = new double[u];
                    for (int j = 0; j < u; j++) {
                        resetH[j] = reset[j] * hPrev[j];
                    }
                    for (int i = 0; i < u; i++) {
                        for (int j = 0; j < u; j++) {
                            a[2 * u + j] += resetH[i] * recurrent[i * columns + 2 * u + j];
                        }
                    }
                }
                for (int j = 0; j < u; j++) {
                    double z = gates[j];
                    double candidate = gates[2 * u + j] = act(r.activation(), a[2 * u + j]);
                    h[j] = z * hPrev[j] + (1 - z) * candidate;
                }
            }
        }
        trace.gates[e][s] = gates;
        trace.hNew[e][s] = h;
        trace.cNew[e][s] = c;
        trace.recurrentProduct[e][s] = hr;
    }

    /** a += v M for a row-major M with {@code columns} columns. */
    private static void addProduct(double[] a, double[] v, double[] m, int columns) {
        for (int i = 0; i < v.length; i++) {
            if (v[i] != 0) {
                for (int j = 0; j < columns; j++) {
                    a[j] += v[i] * m[i * columns + j];
                }
            }
        }
    }

    private double[][][] dense(Dense d, double[][][] x) {
        double[] kernel = weights.get(d.name() + "/kernel");
        double[] bias = weights.get(d.name() + "/bias");
        double[][][] y = new double[x.length][x[0].length][];
        for (int n = 0; n < x.length; n++) {
            for (int t = 0; t < x[n].length; t++) {
                double[] z = bias.clone();
                addProduct(z, x[n][t], kernel, d.units());
                y[n][t] = act(d.activation(), z);
            }
        }
        return y;
    }

    /** The table row an Embedding reads for input {@code index} ([0] of the step's vector). */
    private static int row(Embedding e, double[] index) {
        int row = (int) index[0];
        if (row != index[0] || row < 0 || row >= e.inputDim()) {
            throw new IllegalArgumentException("embedding " + e.name() + " takes integers in [0, " + e.inputDim()
                    + "), given " + index[0]);
        }
        return row;
    }

    private static double[][][] merge(String mode, double[][][] a, double[][][] b) {
        double[][][] y = new double[a.length][a[0].length][];
        for (int n = 0; n < a.length; n++) {
            for (int t = 0; t < a[n].length; t++) {
                double[] p = a[n][t];
                double[] q = b[n][t];
                if (mode.equals("concat")) {
                    y[n][t] = Arrays.copyOf(p, p.length + q.length);
                    System.arraycopy(q, 0, y[n][t], p.length, q.length);
                    continue;
                }
                y[n][t] = new double[p.length];
                for (int j = 0; j < p.length; j++) {
                    y[n][t][j] = switch (mode) {
                        case "sum" -> p[j] + q[j];
                        case "mul" -> p[j] * q[j];
                        default -> (p[j] + q[j]) / 2; // ave
                    };
                }
            }
        }
        return y;
    }

    private static double[][][] map(double[][][] x, java.util.function.UnaryOperator<double[]> f) {
        double[][][] y = new double[x.length][x[0].length][];
        for (int n = 0; n < x.length; n++) {
            for (int t = 0; t < x[n].length; t++) {
                y[n][t] = f.apply(x[n][t]);
            }
        }
        return y;
    }

    // ---------------------------------------------------------------- backward

    /** dL/d(input) of one layer from dL/d(output), adding its weights' gradients. */
    private double[][][] backward(Layer layer, double[][][] x, double[][][] y, Object state, double[][][] dy,
            Map<String, double[]> gradients) {
        if (layer instanceof Recurrent r) {
            return backward(r, "", x, (Steps) state, dy, gradients);
        }
        if (layer instanceof Bidirectional b) {
            return backward(b, x, (Steps[]) state, dy, gradients);
        }
        if (layer instanceof Dense d) {
            return backward(d, x, y, dy, gradients);
        }
        if (layer instanceof Embedding e) {
            // each step's dL/dy goes to the row it was read from; the indices have no gradient
            double[] table = gradients.get(e.name() + "/embeddings");
            for (int n = 0; n < x.length; n++) {
                for (int t = 0; t < x[n].length; t++) {
                    addTo(table, row(e, x[n][t]) * e.outputDim(), dy[n][t]);
                }
            }
            return new double[x.length][x[0].length][1];
        }
        if (layer instanceof RepeatVector) {
            // the one vector fed every step: its gradient is the sum over them
            double[][][] dx = new double[dy.length][1][];
            for (int n = 0; n < dy.length; n++) {
                dx[n][0] = new double[dy[n][0].length];
                for (double[] step : dy[n]) {
                    addTo(dx[n][0], 0, step);
                }
            }
            return dx;
        }
        ActivationLayer a = (ActivationLayer) layer;
        double[][][] dx = new double[x.length][x[0].length][];
        for (int n = 0; n < x.length; n++) {
            for (int t = 0; t < x[n].length; t++) {
                dx[n][t] = a.activation().backward(y[n][t], dy[n][t]);
            }
        }
        return dx;
    }

    /** The merge split back into each half's dL/dh, each half back through time, their dL/dx added. */
    private double[][][] backward(Bidirectional b, double[][][] x, Steps[] halves, double[][][] dy,
            Map<String, double[]> gradients) {
        double[][][] forwardOut = halves[0].output(b.forward());
        double[][][] backwardOut = halves[1].output(b.backward());
        double[][][] dForward = new double[dy.length][dy[0].length][];
        double[][][] dBackward = new double[dy.length][dy[0].length][];
        for (int n = 0; n < dy.length; n++) {
            for (int t = 0; t < dy[n].length; t++) {
                int u = forwardOut[n][t].length;
                double[] d = dy[n][t];
                switch (b.merge()) {
                    case "concat" -> {
                        dForward[n][t] = Arrays.copyOfRange(d, 0, u);
                        dBackward[n][t] = Arrays.copyOfRange(d, u, 2 * u);
                    }
                    case "sum" -> {
                        dForward[n][t] = d.clone();
                        dBackward[n][t] = d.clone();
                    }
                    case "ave" -> {
                        dForward[n][t] = scaled(d, 0.5);
                        dBackward[n][t] = scaled(d, 0.5);
                    }
                    default -> { // mul
                        dForward[n][t] = product(d, backwardOut[n][t]);
                        dBackward[n][t] = product(d, forwardOut[n][t]);
                    }
                }
            }
        }
        double[][][] dx = backward(b.forward(), "forward/", x, halves[0], dForward, gradients);
        double[][][] dxBackward = backward(b.backward(), "backward/", x, halves[1], dBackward, gradients);
        for (int n = 0; n < dx.length; n++) {
            for (int t = 0; t < dx[n].length; t++) {
                for (int i = 0; i < dx[n][t].length; i++) {
                    dx[n][t][i] += dxBackward[n][t][i];
                }
            }
        }
        return dx;
    }

    private double[][][] backward(Dense d, double[][][] x, double[][][] y, double[][][] dy,
            Map<String, double[]> gradients) {
        double[] kernel = weights.get(d.name() + "/kernel");
        double[] dKernel = gradients.get(d.name() + "/kernel");
        double[] dBias = gradients.get(d.name() + "/bias");
        double[][][] dx = new double[x.length][x[0].length][];
        for (int n = 0; n < x.length; n++) {
            for (int t = 0; t < x[n].length; t++) {
                double[] dz = d.activation().backward(y[n][t], dy[n][t]);
                dx[n][t] = backThroughMatrix(dz, x[n][t], kernel, dKernel, d.units());
                addTo(dBias, 0, dz);
            }
        }
        return dx;
    }

    /**
     * Backpropagation through time for one recurrent layer: dy holds dL/dh at every step in time
     * order (return_sequences) or at the last processed step; each step's dL/dh carries back to the
     * step processed before it.
     */
    private double[][][] backward(Recurrent r, String part, double[][][] x, Steps trace, double[][][] dy,
            Map<String, double[]> gradients) {
        String prefix = prefix(r, part);
        int u = r.units();
        int columns = r.cell().blocks * u;
        double[] kernel = weights.get(prefix + "kernel");
        double[] recurrent = weights.get(prefix + "recurrent_kernel");
        double[] dKernel = gradients.get(prefix + "kernel");
        double[] dRecurrent = gradients.get(prefix + "recurrent_kernel");
        double[] dBias = gradients.get(prefix + "bias");
        int steps = trace.order().length;
        double[][][] dx = new double[x.length][steps][];
        for (int e = 0; e < x.length; e++) {
            double[] dhNext = new double[u];
            double[] dcNext = new double[u];
            for (int s = steps - 1; s >= 0; s--) {
                int t = trace.order()[s];
                double[] dh = dhNext.clone();
                double[] given = r.returnSequences() ? dy[e][t] : s == steps - 1 ? dy[e][0] : null;
                if (given != null) {
                    addTo(dh, 0, given);
                }
                double[] hPrev = trace.hPrev()[e][s];
                double[] gates = trace.gates()[e][s];
                double[] da = new double[columns]; // dL/d(x K + b), the input side of every block
                double[] dhr = null; // reset after: dL/d(h' R + b'), the recurrent side, where it differs
                dhNext = new double[u];
                switch (r.cell()) {
                    case SIMPLE_RNN -> {
                        for (int j = 0; j < u; j++) {
                            da[j] = dh[j] * r.activation().derivativeFromOutput(gates[j]);
                        }
                    }
                    case LSTM -> {
                        double[] c = trace.cNew()[e][s];
                        double[] cPrev = trace.cPrev()[e][s];
                        double[] dc = dcNext;
                        dcNext = new double[u];
                        for (int j = 0; j < u; j++) {
                            double i = gates[j];
                            double f = gates[u + j];
                            double g = gates[2 * u + j];
                            double o = gates[3 * u + j];
                            double phiC = r.activation().apply(c[j]);
                            double dcj = dc[j] + dh[j] * o * r.activation().derivativeFromOutput(phiC);
                            da[j] = dcj * g * r.gate().derivativeFromOutput(i);
                            da[u + j] = dcj * cPrev[j] * r.gate().derivativeFromOutput(f);
                            da[2 * u + j] = dcj * i * r.activation().derivativeFromOutput(g);
                            da[3 * u + j] = dh[j] * phiC * r.gate().derivativeFromOutput(o);
                            dcNext[j] = dcj * f;
                        }
                    }
                    case GRU, GRU_RESET_AFTER -> {
                        dhr = new double[columns];
                        for (int j = 0; j < u; j++) {
                            double z = gates[j];
                            double candidate = gates[2 * u + j];
                            dhNext[j] += dh[j] * z;
                            da[j] = dh[j] * (hPrev[j] - candidate) * r.gate().derivativeFromOutput(z);
                            da[2 * u + j] = dh[j] * (1 - z) * r.activation().derivativeFromOutput(candidate);
                        }
                        double[] dReset = new double[u];
                        if (r.cell() == Cell.GRU_RESET_AFTER) {
                            double[] hr = trace.recurrentProduct()[e][s];
                            for (int j = 0; j < u; j++) {
                                dReset[j] = da[2 * u + j] * hr[2 * u + j];
                                dhr[2 * u + j] = da[2 * u + j] * gates[u + j];
                            }
                        } else {
                            // ĥ's recurrent input is (r ⊙ h') R_h: its gradient goes to R_h, r and h' here.
                            double[] dResetH = new double[u];
                            for (int i = 0; i < u; i++) {
                                double resetH = gates[u + i] * hPrev[i];
                                for (int j = 0; j < u; j++) {
                                    dRecurrent[i * columns + 2 * u + j] += resetH * da[2 * u + j];
                                    dResetH[i] += da[2 * u + j] * recurrent[i * columns + 2 * u + j];
                                }
                            }
                            for (int j = 0; j < u; j++) {
                                dReset[j] = dResetH[j] * hPrev[j];
                                dhNext[j] += dResetH[j] * gates[u + j];
                            }
                        }
                        for (int j = 0; j < u; j++) {
                            da[u + j] = dReset[j] * r.gate().derivativeFromOutput(gates[u + j]);
                        }
                        // z and r take h' R and x K alike: their recurrent-side gradient equals the input side's.
                        System.arraycopy(da, 0, dhr, 0, 2 * u);
                    }
                }
                dx[e][t] = backThroughMatrix(da, x[e][t], kernel, dKernel, columns);
                addTo(dBias, 0, da);
                double[] dRecurrentSide = dhr == null ? da : dhr;
                if (r.cell() == Cell.GRU_RESET_AFTER) {
                    addTo(dBias, columns, dhr);
                }
                double[] dh0 = backThroughMatrix(dRecurrentSide, hPrev, recurrent, dRecurrent, columns);
                for (int j = 0; j < u; j++) {
                    dhNext[j] += dh0[j];
                }
            }
        }
        return dx;
    }

    /**
     * For z = v M (M row-major, {@code columns} wide): adds v^T dz to dM and returns dz M^T. Columns of
     * dz that are zero (the reset-before GRU candidate's recurrent side) add nothing.
     */
    private static double[] backThroughMatrix(double[] dz, double[] v, double[] m, double[] dm, int columns) {
        double[] dv = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            double sum = 0;
            for (int j = 0; j < columns; j++) {
                dm[i * columns + j] += v[i] * dz[j];
                sum += dz[j] * m[i * columns + j];
            }
            dv[i] = sum;
        }
        return dv;
    }

    private static void addTo(double[] target, int offset, double[] values) {
        for (int j = 0; j < values.length; j++) {
            target[offset + j] += values[j];
        }
    }

    private static double[] scaled(double[] v, double factor) {
        double[] out = new double[v.length];
        for (int j = 0; j < v.length; j++) {
            out[j] = v[j] * factor;
        }
        return out;
    }

    private static double[] product(double[] a, double[] b) {
        double[] out = new double[a.length];
        for (int j = 0; j < a.length; j++) {
            out[j] = a[j] * b[j];
        }
        return out;
    }
}
