package org.rnnlab.inference;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToRnnPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.RnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.rnnlab.layers.FastLstm;
import org.rnnlab.layers.FastRnnOutputLayer;
import org.rnnlab.layers.FastSimpleRnn;
import org.rnnlab.layers.FloatActivations;
import org.rnnlab.layers.Gru;

/**
 * A float {@link MultiLayerNetwork} of SimpleRnn, dense and output layers, copied once into Java
 * arrays and computed one time step at a time, as {@code rnnTimeStep} computes it: each recurrent
 * layer keeps its state h between calls, {@link #clear()} starts a new sequence, and the minibatch
 * size (rows per call) can only change after a clear.
 *
 * <p>Why: at char-rnn's sizes a step is about 18,000 multiply-adds, less work than ND4J's set-up
 * of the dozen operations {@code rnnTimeStep} makes of it. Here a step is loops over contiguous
 * weight rows, {@code z += x_i W[i, :]}, which HotSpot compiles to vector instructions; a one-hot
 * input (a symbol index) takes row {@code W[s, :]} without any multiplication.
 *
 * <p>Layers: SimpleRnn and {@link FastSimpleRnn} (h_t = f(x_t W + h_{t-1} RW + b)); DL4J's
 * {@link LSTM} and rnnlab's FastLstm (the equations of {@code FastLstmLayer}, c carried beside h);
 * rnnlab's {@link Gru} and FastGru in both {@code resetAfter} forms (the equations in {@link Gru}'s
 * comment); each of them inside {@link LastTimeStep}; {@link DenseLayer}, {@link OutputLayer},
 * {@link RnnOutputLayer} and {@link FastRnnOutputLayer} (a = f(x W + b), with or without a bias).
 * Activations identity, tanh, sigmoid, softmax and plain ReLU; a gated cell's gates must be
 * sigmoid. Dropout is inactive at inference, as in DL4J. Anything else (another layer, layer
 * normalisation, weight noise, another preprocessor, a double network) is refused by {@link #of}
 * with an {@link UnsupportedNetworkException}.
 *
 * <p>LastTimeStep: DL4J 1.0.0-M2.1's {@code rnnTimeStep} fails on a network with one (it hands
 * the wrapped layer's 3-d output to the next layer). Here the wrapped layer carries its state like
 * any other, so each step's output is what {@code output()} gives for the whole sequence so far.
 *
 * <p>Arrays returned by the step methods belong to this object and are overwritten by the next
 * step; an instance is not thread-safe.
 */
public final class StepNetwork {
    private final StepLayer[] layers;
    private final int[] oneSymbol = new int[1];
    /** Rows per step since the last clear; 0 right after a clear. */
    private int minibatch;

    private StepNetwork(StepLayer[] layers) {
        this.layers = layers;
    }

    /**
     * A copy of {@code network}'s current weights, ready to compute step by step from a zero state.
     * Later changes to the network's weights do not reach the copy.
     *
     * @throws UnsupportedNetworkException when the network has anything this class does not compute
     */
    public static StepNetwork of(MultiLayerNetwork network) {
        MultiLayerConfiguration configuration = network.getLayerWiseConfigurations();
        if (network.params() == null) {
            throw new UnsupportedNetworkException("the network is not initialised (call init())");
        }
        if (configuration.getDataType() != DataType.FLOAT || network.params().dataType() != DataType.FLOAT) {
            throw new UnsupportedNetworkException("StepNetwork computes float networks; this one is "
                    + network.params().dataType());
        }
        int count = configuration.getConfs().size();
        StepLayer[] layers = new StepLayer[count];
        for (int i = 0; i < count; i++) {
            InputPreProcessor preprocessor = configuration.getInputPreProcess(i);
            if (preprocessor != null && preprocessor.getClass() != RnnToFeedForwardPreProcessor.class
                    && preprocessor.getClass() != FeedForwardToRnnPreProcessor.class) {
                throw new UnsupportedNetworkException("layer " + i + " has the input preprocessor "
                        + preprocessor.getClass().getSimpleName() + "; StepNetwork knows only the recurrent <-> feed-forward reshapes");
            }
            layers[i] = StepLayer.read(network, i, configuration.getConf(i).getLayer());
            if (i > 0 && layers[i].in != layers[i - 1].out) {
                throw new UnsupportedNetworkException("layer " + i + " takes " + layers[i].in + " inputs but layer "
                        + (i - 1) + " gives " + layers[i - 1].out);
            }
        }
        if (count == 0) {
            throw new UnsupportedNetworkException("the network has no layers");
        }
        return new StepNetwork(layers);
    }

    /** The same as {@link #of}, or null where that refuses the network: the caller falls back to DL4J. */
    public static StepNetwork orNull(MultiLayerNetwork network) {
        try {
            return of(network);
        } catch (UnsupportedNetworkException e) {
            return null;
        }
    }

    /** Input columns of the first layer: the vocabulary size of a one-hot input. */
    public int inputSize() {
        return layers[0].in;
    }

    /** Output columns of the last layer. */
    public int outputSize() {
        return layers[layers.length - 1].out;
    }

    /** Whether the last layer's activation is softmax, so that {@link #preOutputStep} gives its logits. */
    public boolean softmaxOutput() {
        return layers[layers.length - 1].activation == Kind.SOFTMAX;
    }

    /** Forgets every layer's state: the next step starts a new sequence from zeros, with any minibatch size. */
    public void clear() {
        minibatch = 0;
    }

    /** One step of one sequence whose input is the one-hot row of {@code symbol}; returns the outputs [outputSize]. */
    public float[] step(int symbol) {
        oneSymbol[0] = symbol;
        return step(oneSymbol);
    }

    /** One step of {@code symbols.length} sequences, row r one-hot at {@code symbols[r]}; returns [rows * outputSize] row by row. */
    public float[] step(int[] symbols) {
        forwardSymbols(symbols, false);
        return layers[layers.length - 1].outputs(false);
    }

    /**
     * One step of one sequence fed {@code symbol}, as {@link #step(int)}, returning the last layer's
     * values before its activation (a softmax's logits) and skipping that activation where no state
     * depends on it.
     */
    public float[] preOutputStep(int symbol) {
        oneSymbol[0] = symbol;
        forwardSymbols(oneSymbol, true);
        return layers[layers.length - 1].outputs(true);
    }

    /**
     * One step of {@code rows.length / inputSize} sequences with dense inputs, row r at
     * {@code rows[r * inputSize ..]}; returns [rows * outputSize] row by row.
     */
    public float[] step(float[] rows) {
        int in = layers[0].in;
        if (rows.length == 0 || rows.length % in != 0) {
            throw new IllegalArgumentException("a step takes whole rows of " + in + " inputs, got " + rows.length + " values");
        }
        int n = rows.length / in;
        begin(n);
        layers[0].project(rows, n);
        layers[0].finish(n, true);
        forwardFrom(1, n, false);
        return layers[layers.length - 1].outputs(false);
    }

    private void forwardSymbols(int[] symbols, boolean skipLastActivation) {
        int n = symbols.length;
        StepLayer first = layers[0];
        for (int symbol : symbols) {
            if (symbol < 0 || symbol >= first.in) {
                throw new IllegalArgumentException("symbol " + symbol + " is outside the input's 0.." + (first.in - 1));
            }
        }
        begin(n);
        first.lookUp(symbols, n);
        first.finish(n, !(skipLastActivation && layers.length == 1 && first.rw == null));
        forwardFrom(1, n, skipLastActivation);
    }

    private void forwardFrom(int from, int n, boolean skipLastActivation) {
        for (int l = from; l < layers.length; l++) {
            StepLayer layer = layers[l];
            layer.project(layers[l - 1].h, n);
            layer.finish(n, !(skipLastActivation && l == layers.length - 1 && layer.rw == null));
        }
    }

    private void begin(int n) {
        if (minibatch == 0) {
            for (StepLayer layer : layers) {
                layer.reset(n);
            }
            minibatch = n;
        } else if (n != minibatch) {
            throw new IllegalStateException("the minibatch changed from " + minibatch + " to " + n
                    + " rows without clear(); the stored state has " + minibatch + " rows");
        }
    }

    /** The activations computed here. */
    enum Kind {
        IDENTITY, TANH, SIGMOID, SOFTMAX, RELU;

        static Kind of(IActivation activation, int layer) {
            Class<?> type = activation.getClass();
            if (type == ActivationIdentity.class) {
                return IDENTITY;
            }
            if (type == ActivationTanH.class) {
                return TANH;
            }
            if (type == ActivationSigmoid.class) {
                return SIGMOID;
            }
            if (type == ActivationSoftmax.class) {
                return SOFTMAX;
            }
            if (activation instanceof ActivationReLU relu && type == ActivationReLU.class && relu.getMax() == null
                    && isZeroOrUnset(relu.getThreshold()) && isZeroOrUnset(relu.getNegativeSlope())) {
                return RELU;
            }
            throw new UnsupportedNetworkException("layer " + layer + " has the activation " + activation
                    + "; StepNetwork computes identity, tanh, sigmoid, softmax and plain ReLU");
        }

        private static boolean isZeroOrUnset(Double value) {
            return value == null || value == 0.0;
        }
    }

    /** How a layer turns z = x W + b and the state it carries into its outputs h. */
    enum Cell {
        /** h = f(z) for a feed-forward layer, h = f(z + h_prev RW) for a SimpleRnn. */
        PLAIN,
        /** DL4J's LSTM: a = z + h_prev RW in column blocks g, f, o, i; c = σ(f) c_prev + σ(i) φ(g); h = σ(o) φ(c). */
        LSTM,
        /** Gru with resetAfter: q = h_prev RW + RB; h~ = φ(z_h + σ(z_r + q_r) q_h); blocks z, r, h. */
        GRU_RESET_AFTER,
        /** Gru without: z and r gates from h_prev RW_zr; h~ = φ(z_h + (r ⊙ h_prev) RW_h). */
        GRU_RESET_BEFORE;

        /** Columns of W: one block per gate and one for the candidate. */
        int blocks() {
            return switch (this) {
                case PLAIN -> 1;
                case LSTM -> 4;
                case GRU_RESET_AFTER, GRU_RESET_BEFORE -> 3;
            };
        }
    }

    /**
     * One layer: z = x W + b (+ h_prev RW for a recurrent layer), h = f(z), or a gated cell's
     * equations over the column blocks of z ({@link Cell}). A weight matrix is kept
     * as one array per input unit (row i of W: the nOut weights from input i), and z and h as one
     * array per minibatch row: HotSpot vectorises {@code y[j] += a row[j]} over separate arrays
     * faster than over offsets into one array (measurements: docs/benchmarks.md, "What made each of
     * them fast", sampling).
     */
    private static final class StepLayer {
        final int in;
        final int out;
        final Cell cell;
        /** Columns of W and z: out times the cell's blocks. */
        final int width;
        final float[][] w;
        /**
         * [out][width], or null for a feed-forward layer; for GRU_RESET_BEFORE only the z and r
         * blocks ([out][2 out]), the candidate's block being {@link #rwH}.
         */
        final float[][] rw;
        /** GRU_RESET_BEFORE's candidate block of RW, [out][out]; otherwise null. */
        final float[][] rwH;
        /** Zeros for a layer without a bias. */
        final float[] b;
        /** GRU_RESET_AFTER's recurrent bias RB [width]; otherwise null. */
        final float[] rb;
        /** f of a plain layer; φ (the block input's and the output's) of a gated one. */
        final Kind activation;
        float[][] z = new float[0][];
        /** This step's outputs; of a recurrent layer, also the state the next step starts from. */
        float[][] h = new float[0][];
        /** An LSTM's cell state c; a GRU's recurrent part q (resetAfter) or r ⊙ h_prev (before). */
        float[][] c = new float[0][];
        /** z or h row after row, for a minibatch of more than one row. */
        float[] flat = new float[0];
        /** GRU_RESET_BEFORE's candidate pre-activation of one row. */
        private final float[] candidate;

        private StepLayer(int in, int out, Cell cell, float[][] w, float[][] rw, float[][] rwH, float[] b, float[] rb,
                Kind activation) {
            this.in = in;
            this.out = out;
            this.cell = cell;
            this.width = out * cell.blocks();
            this.w = w;
            this.rw = rw;
            this.rwH = rwH;
            this.b = b;
            this.rb = rb;
            this.activation = activation;
            this.candidate = new float[cell == Cell.GRU_RESET_BEFORE ? out : 0];
        }

        static StepLayer read(MultiLayerNetwork network, int index, Layer layer) {
            Layer inner = layer instanceof LastTimeStep wrapper ? wrapper.getUnderlying() : layer;
            Class<?> type = inner.getClass();
            boolean simple = type == SimpleRnn.class || type == FastSimpleRnn.class;
            // LSTM's subclass GravesLSTM has peepholes; FastLstm and FastGru compute their parents' equations
            boolean lstm = type == LSTM.class || type == FastLstm.class;
            boolean gru = inner instanceof Gru;
            boolean recurrent = simple || lstm || gru;
            boolean bias = true;
            Cell cell = Cell.PLAIN;
            if (layer instanceof LastTimeStep && !recurrent) {
                throw new UnsupportedNetworkException("layer " + index + " is LastTimeStep(" + type.getSimpleName()
                        + "); StepNetwork computes LastTimeStep of SimpleRnn, LSTM and Gru");
            }
            if (simple) {
                if (((SimpleRnn) inner).hasLayerNorm()) {
                    throw new UnsupportedNetworkException("layer " + index + " is a SimpleRnn with layer normalisation");
                }
            } else if (lstm || gru) {
                IActivation gate = lstm ? ((LSTM) inner).getGateActivationFn() : ((Gru) inner).getGateActivationFn();
                if (gate.getClass() != ActivationSigmoid.class) {
                    throw new UnsupportedNetworkException("layer " + index + " has the gate activation " + gate
                            + "; StepNetwork computes sigmoid gates");
                }
                cell = lstm ? Cell.LSTM : ((Gru) inner).isResetAfter() ? Cell.GRU_RESET_AFTER : Cell.GRU_RESET_BEFORE;
            } else if (type == DenseLayer.class) {
                DenseLayer dense = (DenseLayer) inner;
                if (dense.hasLayerNorm()) {
                    throw new UnsupportedNetworkException("layer " + index + " is a DenseLayer with layer normalisation");
                }
                bias = dense.hasBias();
            } else if (type == OutputLayer.class || type == RnnOutputLayer.class || type == FastRnnOutputLayer.class) {
                bias = ((BaseOutputLayer) inner).hasBias();
            } else {
                throw new UnsupportedNetworkException("layer " + index + " is " + layer.getClass().getSimpleName()
                        + "; StepNetwork computes SimpleRnn, LSTM, Gru, LastTimeStep of those, DenseLayer, OutputLayer"
                        + " and RnnOutputLayer");
            }
            BaseLayer base = (BaseLayer) inner;
            if (base.getWeightNoise() != null) {
                throw new UnsupportedNetworkException("layer " + index + " has weight noise");
            }
            Kind activation = Kind.of(base.getActivationFn(), index);
            if (cell != Cell.PLAIN && activation == Kind.SOFTMAX) {
                throw new UnsupportedNetworkException("layer " + index + " is a gated cell with a softmax activation");
            }
            FeedForwardLayer shaped = (FeedForwardLayer) inner;
            int in = Math.toIntExact(shaped.getNIn());
            int out = Math.toIntExact(shaped.getNOut());

            Map<String, INDArray> table = network.paramTable();
            Set<String> expected = new TreeSet<>(cell == Cell.GRU_RESET_AFTER ? Set.of("W", "RW", "b", "RB")
                    : recurrent ? Set.of("W", "RW", "b") : bias ? Set.of("W", "b") : Set.of("W"));
            Set<String> found = new TreeSet<>();
            String prefix = index + "_";
            for (String key : table.keySet()) {
                if (key.startsWith(prefix)) {
                    found.add(key.substring(prefix.length()));
                }
            }
            if (!found.equals(expected)) {
                throw new UnsupportedNetworkException("layer " + index + " has the parameters " + found
                        + " where StepNetwork expects " + expected);
            }
            int width = out * cell.blocks();
            float[][] w = rowMajor(table.get(prefix + "W"), in, width, index);
            float[][] rw = recurrent ? rowMajor(table.get(prefix + "RW"), out, width, index) : null;
            float[][] rwH = null;
            if (cell == Cell.GRU_RESET_BEFORE) { // the z and r blocks, and the candidate's apart
                rwH = new float[out][];
                for (int i = 0; i < out; i++) {
                    rwH[i] = Arrays.copyOfRange(rw[i], 2 * out, 3 * out);
                    rw[i] = Arrays.copyOf(rw[i], 2 * out);
                }
            }
            float[] b = bias ? vector(table.get(prefix + "b"), width, index) : new float[width];
            float[] rb = cell == Cell.GRU_RESET_AFTER ? vector(table.get(prefix + "RB"), width, index) : null;
            return new StepLayer(in, out, cell, w, rw, rwH, b, rb, activation);
        }

        /** A [rows, columns] parameter's rows, whatever its ordering ('f' in DL4J's flat vector). */
        private static float[][] rowMajor(INDArray parameter, int rows, int columns, int layer) {
            if (parameter.rank() != 2 || parameter.size(0) != rows || parameter.size(1) != columns) {
                throw new UnsupportedNetworkException("layer " + layer + " has a parameter of shape "
                        + Arrays.toString(parameter.shape()) + ", expected [" + rows + ", " + columns + "]");
            }
            // one copy in c order, then split: INDArray.toFloatMatrix reads element by element
            float[] values = parameter.dup('c').data().asFloat();
            float[][] matrix = new float[rows][];
            for (int i = 0; i < rows; i++) {
                matrix[i] = Arrays.copyOfRange(values, i * columns, (i + 1) * columns);
            }
            return matrix;
        }

        /** A bias: [nOut], or [1, nOut] as older DL4J versions shape it. */
        private static float[] vector(INDArray parameter, int length, int layer) {
            return parameter.rank() == 1 && parameter.length() == length ? parameter.toFloatVector()
                    : rowMajor(parameter, 1, length, layer)[0];
        }

        /** Sizes the buffers for {@code n} rows and zeroes the state. */
        void reset(int n) {
            if (h.length != n) {
                z = new float[n][width];
                h = new float[n][out];
                c = new float[n][cell == Cell.GRU_RESET_AFTER ? width : out];
                flat = new float[n * out];
            } else {
                for (int r = 0; r < n; r++) {
                    Arrays.fill(h[r], 0f);
                    Arrays.fill(c[r], 0f);
                }
            }
        }

        /** h (or z: {@code before}, for a plain layer) as one array, row after row; for one row the row itself. */
        float[] outputs(boolean before) {
            float[][] rows = before && cell == Cell.PLAIN ? z : h; // a gated cell's z holds its gates
            if (rows.length == 1) {
                return rows[0];
            }
            for (int r = 0; r < rows.length; r++) {
                System.arraycopy(rows[r], 0, flat, r * out, out);
            }
            return flat;
        }

        /** z = b + x W for dense rows x [n * in]. */
        void project(float[] x, int n) {
            for (int r = 0; r < n; r++) {
                System.arraycopy(b, 0, z[r], 0, width);
                product(x, r * in, in, w, z[r], width);
            }
        }

        /** z = b + x W for the previous layer's rows. */
        void project(float[][] x, int n) {
            for (int r = 0; r < n; r++) {
                System.arraycopy(b, 0, z[r], 0, width);
                product(x[r], 0, in, w, z[r], width);
            }
        }

        /** z = b + W[s, :] for one-hot rows: the product of a one-hot row and W is that row of W. */
        void lookUp(int[] symbols, int n) {
            for (int r = 0; r < n; r++) {
                float[] row = w[symbols[r]];
                float[] zr = z[r];
                for (int j = 0; j < width; j++) {
                    zr[j] = b[j] + row[j];
                }
            }
        }

        /** Adds the recurrent term h_prev RW (a recurrent layer), then h = f(z) unless {@code activate} is false. */
        void finish(int n, boolean activate) {
            if (cell != Cell.PLAIN) {
                for (int r = 0; r < n; r++) {
                    switch (cell) {
                        case LSTM -> lstm(z[r], h[r], c[r]);
                        case GRU_RESET_AFTER -> gruResetAfter(z[r], h[r], c[r]);
                        default -> gruResetBefore(z[r], h[r], c[r]);
                    }
                }
                return;
            }
            if (rw != null) {
                for (int r = 0; r < n; r++) {
                    product(h[r], 0, out, rw, z[r], out);
                }
            }
            if (activate) {
                for (int r = 0; r < n; r++) {
                    activate(z[r], h[r]);
                }
            }
        }

        /**
         * One LSTM step of one row (the equations of FastLstmLayer's comment): a = z + h_prev RW,
         * g = φ(a_g), f, o, i = σ(a_f, a_o, a_i), c = f ⊙ c_prev + i ⊙ g, h = o ⊙ φ(c). The gates
         * are computed in place in z.
         */
        private void lstm(float[] z, float[] h, float[] c) {
            product(h, 0, out, rw, z, width);
            apply(activation, z, 0, z, 0, out);
            FloatActivations.sigmoid(z, out, z, out, 3 * out);
            for (int j = 0; j < out; j++) {
                c[j] = z[out + j] * c[j] + z[3 * out + j] * z[j];
            }
            apply(activation, c, 0, h, 0, out);
            for (int j = 0; j < out; j++) {
                h[j] *= z[2 * out + j];
            }
        }

        /**
         * One step of a Gru with resetAfter ({@link Gru}'s equations): q = h_prev RW + RB,
         * u = σ(z_u + q_u), r = σ(z_r + q_r), h~ = φ(z_h + r ⊙ q_h), h = u ⊙ h_prev + (1 - u) ⊙ h~.
         */
        private void gruResetAfter(float[] z, float[] h, float[] q) {
            System.arraycopy(rb, 0, q, 0, width);
            product(h, 0, out, rw, q, width);
            for (int j = 0; j < 2 * out; j++) {
                z[j] += q[j];
            }
            FloatActivations.sigmoid(z, 0, z, 0, 2 * out);
            for (int j = 0; j < out; j++) {
                z[2 * out + j] += z[out + j] * q[2 * out + j];
            }
            gruOutput(z, h);
        }

        /** One step of a Gru without resetAfter: h~ = φ(z_h + (r ⊙ h_prev) RW_h), the gates as with it but without RB. */
        private void gruResetBefore(float[] z, float[] h, float[] resetState) {
            product(h, 0, out, rw, z, 2 * out);
            FloatActivations.sigmoid(z, 0, z, 0, 2 * out);
            for (int j = 0; j < out; j++) {
                resetState[j] = z[out + j] * h[j];
            }
            // the candidate's block of z, as an array of its own for the product
            System.arraycopy(z, 2 * out, candidate, 0, out);
            product(resetState, 0, out, rwH, candidate, out);
            System.arraycopy(candidate, 0, z, 2 * out, out);
            gruOutput(z, h);
        }

        /** h = u ⊙ h_prev + (1 - u) ⊙ φ(a_h), with the gates u in z's first block and a_h in its third. */
        private void gruOutput(float[] z, float[] h) {
            apply(activation, z, 2 * out, z, 2 * out, out);
            for (int j = 0; j < out; j++) {
                float u = z[j];
                h[j] = u * h[j] + (1f - u) * z[2 * out + j];
            }
        }

        /** y[yAt ..+ n) = φ(x[xAt ..+ n)) for a gated cell's φ. */
        private static void apply(Kind phi, float[] x, int xAt, float[] y, int yAt, int n) {
            switch (phi) {
                case IDENTITY -> System.arraycopy(x, xAt, y, yAt, n);
                case TANH -> FloatActivations.tanh(x, xAt, y, yAt, n);
                case SIGMOID -> FloatActivations.sigmoid(x, xAt, y, yAt, n);
                case RELU -> {
                    for (int i = 0; i < n; i++) {
                        y[yAt + i] = Math.max(0f, x[xAt + i]);
                    }
                }
                default -> throw new IllegalStateException("no gated-cell activation " + phi); // read() refuses softmax
            }
        }

        private void activate(float[] z, float[] h) {
            switch (activation) {
                case IDENTITY -> System.arraycopy(z, 0, h, 0, out);
                case TANH -> FloatActivations.tanh(z, h, out);
                case SIGMOID -> FloatActivations.sigmoid(z, h, out);
                case RELU -> {
                    for (int i = 0; i < out; i++) {
                        h[i] = Math.max(0f, z[i]);
                    }
                }
                case SOFTMAX -> softmax(z, h, 0, out);
                default -> throw new IllegalStateException("no activation " + activation);
            }
        }

        private static void softmax(float[] z, float[] p, int at, int n) {
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                max = Math.max(max, z[at + j]);
            }
            float sum = 0f;
            for (int j = 0; j < n; j++) {
                float e = (float) Math.exp(z[at + j] - max);
                p[at + j] = e;
                sum += e;
            }
            float scale = 1f / sum;
            for (int j = 0; j < n; j++) {
                p[at + j] *= scale;
            }
        }

        /**
         * y[0 ..+ n) += x[xAt ..+ k) M for M given as k rows of n: row i scaled by x_i and added to y,
         * four rows per pass over y, which cuts its loads and stores to a quarter.
         */
        private static void product(float[] x, int xAt, int k, float[][] m, float[] y, int n) {
            int i = 0;
            for (; i + 3 < k; i += 4) {
                float a0 = x[xAt + i];
                float a1 = x[xAt + i + 1];
                float a2 = x[xAt + i + 2];
                float a3 = x[xAt + i + 3];
                float[] m0 = m[i];
                float[] m1 = m[i + 1];
                float[] m2 = m[i + 2];
                float[] m3 = m[i + 3];
                for (int j = 0; j < n; j++) {
                    y[j] += a0 * m0[j] + a1 * m1[j] + a2 * m2[j] + a3 * m3[j];
                }
            }
            for (; i < k; i++) {
                float a = x[xAt + i];
                float[] row = m[i];
                for (int j = 0; j < n; j++) {
                    y[j] += a * row[j];
                }
            }
        }
    }
}
