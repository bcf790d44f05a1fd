package org.rnnlab.layers;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemv;

import org.bytedeco.javacpp.FloatPointer;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.layers.RecurrentLayer;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.params.SimpleRnnParamInitializer;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.AdaGradUpdater;
import org.nd4j.linalg.learning.config.AdaGrad;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

/**
 * One truncated-BPTT training step of a stack of tanh SimpleRnn layers under a softmax RnnOutputLayer
 * (multi-class cross-entropy), AdaGrad and elementwise clipping: the update DL4J's Solver makes for
 * the same network, chunk and carried state, without DL4J's and ND4J's per-op and per-iteration
 * costs, which at a minibatch of one are most of an iteration and at char-rnn's 96 streams still a
 * good part of one.
 *
 * <p>It does what one {@code Solver.optimize} of {@code StochasticGradientDescent} followed by
 * {@code updateRnnStateWithTBPTTState} does: forward from each layer's stored truncated-BPTT state,
 * the loss and its gradient, backprop through time over the whole chunk, then the updater's order:
 * the gradient divided by the minibatch size, clipped to [-t, t] per layer, AdaGrad
 * ({@code h += g^2; p -= lr g / (sqrt(h) + eps)}, in float like ND4J's op), the score, the iteration
 * count, and each layer's last output stored as both its truncated-BPTT and its rnnTimeStep state.
 *
 * <p>Matrix products go straight to OpenBLAS on native memory (the network's own parameters, read
 * where they lie: DL4J's f-ordered W is a row-major W^T): one matrix-vector product per step and
 * row for the recurrences, one matrix product over all steps for everything else. The elementwise
 * work (tanh, softmax, one-hot look-ups, AdaGrad) runs in Java on heap copies. OpenBLAS's sgemm
 * costs several microseconds even for a single row, its sgemv a fraction of that, hence the split.
 *
 * <p>The network stays the single source of truth: every step reads the parameters, the AdaGrad
 * history and the stored states from the network and writes the new ones back before it returns, so
 * saving, sampling, resuming or a DL4J step in between all see the state of the last step.
 *
 * <p>{@link #unsupported} names what it cannot do; callers then use DL4J's step.
 */
public final class JavaTrainingStep {
    private static final String STATE = org.deeplearning4j.nn.layers.recurrent.SimpleRnn.STATE_KEY_PREV_ACTIVATION;
    /**
     * Up to this many rows a step, the recurrences make one sgemv per row: OpenBLAS's sgemm has a
     * fixed cost of several sgemvs, and overtakes them at about a dozen rows.
     */
    private static final int ROWS_PER_VECTOR_PRODUCTS = 12;

    /** One SimpleRnn layer: sizes, where its parameters lie, and its working memory for one shape. */
    private static final class Recurrent {
        final int nIn;
        final int units;
        final int w;
        final int rw;
        final int b;
        /** W, RW and their gradients in native memory. */
        FloatPointer weights;
        FloatPointer recurrentWeights;
        FloatPointer weightGradient;
        FloatPointer recurrentGradient;
        /** The array stored as the layer's state after each step, rewritten in place. */
        INDArray stateArray;
        /** Native: outputs h (block 0 the initial state, then one block of minibatch rows per step), pre-activations, dL/dh then delta. */
        FloatPointer h;
        FloatPointer z;
        FloatPointer d;
        FloatBuffer hBuffer;
        FloatBuffer zBuffer;
        FloatBuffer dBuffer;
        /** Row r of h, z and d, for the per-row products. */
        FloatPointer[] hRows;
        FloatPointer[] zRows;
        FloatPointer[] dRows;
        /** Heap copies of h and delta for the elementwise work (delta indexed like h), and one step's rows. */
        float[] hHeap;
        float[] dHeap;
        float[] stepScratch;
        FloatBuffer stateBuffer;

        Recurrent(int nIn, int units, int w, int rw, int b) {
            this.nIn = nIn;
            this.units = units;
            this.w = w;
            this.rw = rw;
            this.b = b;
        }
    }

    /** A run of parameters with one AdaGrad configuration and one clipping threshold. */
    private record Span(int param, int state, int length, AdaGrad adaGrad, float clip) {
    }

    private final MultiLayerNetwork network;
    private final Recurrent[] layers;
    private final int hidden;
    private final int classes;
    private final int outW;
    private final int outB;
    private final double lnMin;
    private final double lnMax;
    private final Span[] spans;
    private final INDArray paramsView;
    private final INDArray stateView;
    /** The network's parameters in native memory, and a gradient of the same layout. */
    private final FloatPointer paramsNative;
    private final FloatPointer gradientNative;
    private final FloatBuffer paramsBuffer;
    private final FloatBuffer stateBuffer;
    private final FloatBuffer gradientBuffer;
    private final FloatPointer outWeights;
    private final FloatPointer outGradient;
    private final float[] params;
    private final float[] state;
    private final float[] gradient;
    private int minibatch = -1;
    private int steps = -1;
    /** The one-hot column of each time-major input row, or -1 for a row of zeros. */
    private int[] inputColumns = new int[0];
    private float[] inputValues = new float[0];
    private float[] labelValues = new float[0];
    /** Time-major input rows [steps * minibatch, nIn], for a dense first-layer input. */
    private FloatPointer input;
    /** The logits [steps * minibatch, classes] (then delta, over them) and their exp, native. */
    private INDArray logitsArray;
    private INDArray expArray;
    private FloatPointer logits;
    private FloatBuffer logitsBuffer;
    private FloatBuffer expBuffer;
    private float[] logitsHeap = new float[0];
    private float[] expHeap = new float[0];
    private boolean inputOneHot;
    /** Strides of {@link #inputValues} and {@link #labelValues}: minibatch, width, step. */
    private int[] inputStrides;
    private int[] labelStrides;

    private JavaTrainingStep(MultiLayerNetwork network) {
        this.network = network;
        int count = network.getnLayers();
        layers = new Recurrent[count - 1];
        paramsView = network.params();
        stateView = network.getUpdater().getStateViewArray();
        for (int l = 0; l < count - 1; l++) {
            SimpleRnn conf = (SimpleRnn) network.getLayer(l).conf().getLayer();
            Layer layer = network.getLayer(l);
            layers[l] = new Recurrent((int) conf.getNIn(), (int) conf.getNOut(),
                    offset(layer, SimpleRnnParamInitializer.WEIGHT_KEY),
                    offset(layer, SimpleRnnParamInitializer.RECURRENT_WEIGHT_KEY),
                    offset(layer, SimpleRnnParamInitializer.BIAS_KEY));
        }
        Layer output = network.getLayer(count - 1);
        RnnOutputLayer outConf = (RnnOutputLayer) output.conf().getLayer();
        hidden = (int) outConf.getNIn();
        classes = (int) outConf.getNOut();
        outW = offset(output, DefaultParamInitializer.WEIGHT_KEY);
        outB = offset(output, DefaultParamInitializer.BIAS_KEY);
        double eps = ((LossMCXENT) outConf.getLossFn()).getSoftmaxClipEps();
        lnMin = eps > 0 ? Math.log(eps) : Double.NEGATIVE_INFINITY;
        lnMax = eps > 0 ? Math.log1p(-eps) : 0.0;
        spans = spans(network);
        int length = (int) paramsView.length();
        params = new float[length];
        state = new float[(int) stateView.length()];
        gradient = new float[length];
        paramsNative = at(paramsView, 0);
        gradientNative = new FloatPointer(length);
        paramsBuffer = paramsView.data().asNioFloat();
        stateBuffer = stateView.data().asNioFloat();
        gradientBuffer = gradientNative.asBuffer();
        for (Recurrent r : layers) {
            r.weights = at(paramsNative, r.w);
            r.recurrentWeights = at(paramsNative, r.rw);
            r.weightGradient = at(gradientNative, r.w);
            r.recurrentGradient = at(gradientNative, r.rw);
        }
        outWeights = at(paramsNative, outW);
        outGradient = at(gradientNative, outW);
    }

    /** The step for {@code network}, or null when {@link #unsupported} has a reason. */
    public static JavaTrainingStep of(MultiLayerNetwork network) {
        return unsupported(network) == null ? new JavaTrainingStep(network) : null;
    }

    /** Why this step cannot train {@code network} (initialised, with its updater); null when it can. */
    public static String unsupported(MultiLayerNetwork network) {
        MultiLayerConfiguration conf = network.getLayerWiseConfigurations();
        if (conf.getBackpropType() != BackpropType.TruncatedBPTT) {
            return "not truncated BPTT";
        }
        if (network.params() == null || network.params().dataType() != DataType.FLOAT) {
            return "parameters are not float";
        }
        if (!network.conf().isMiniBatch()) {
            return "not a minibatch configuration";
        }
        int count = network.getnLayers();
        if (count < 2) {
            return "needs recurrent layers and an output layer";
        }
        for (int l = 0; l < count; l++) {
            Layer layer = network.getLayer(l);
            org.deeplearning4j.nn.conf.layers.Layer c = layer.conf().getLayer();
            String plain = plainLayer(c, l);
            if (plain != null) {
                return plain;
            }
            if (l < count - 1) {
                if (!(c instanceof SimpleRnn rnn) || rnn.hasLayerNorm() || !(rnn.getActivationFn() instanceof ActivationTanH)
                        || rnn.getRnnDataFormat() != RNNFormat.NCW || !(layer instanceof RecurrentLayer)) {
                    return "layer " + l + " is not a tanh SimpleRnn without layer normalisation";
                }
                if (l > 0 && rnn.getNIn() != ((SimpleRnn) network.getLayer(l - 1).conf().getLayer()).getNOut()) {
                    return "layer " + l + "'s input size differs from the layer below";
                }
            } else {
                if (!(c instanceof RnnOutputLayer out) || !(out.getActivationFn() instanceof ActivationSoftmax)
                        || !(out.getLossFn() instanceof LossMCXENT loss) || loss.getWeights() != null
                        || out.getRnnDataFormat() != RNNFormat.NCW || !out.hasBias()) {
                    return "the output layer is not a softmax RnnOutputLayer with unweighted MCXENT";
                }
                if (out.getNIn() != ((SimpleRnn) network.getLayer(l - 1).conf().getLayer()).getNOut()) {
                    return "the output layer's input size differs from the layer below";
                }
            }
        }
        if (!(network.getUpdater() instanceof BaseMultiLayerUpdater<?> updater)) {
            return "an unknown updater";
        }
        for (UpdaterBlock block : updater.getUpdaterBlocks()) {
            if (!(block.getGradientUpdater() instanceof AdaGradUpdater)) {
                return "an updater other than AdaGrad";
            }
        }
        INDArray stateView = updater.getStateViewArray();
        if (stateView == null || stateView.length() != network.params().length() || stateView.dataType() != DataType.FLOAT) {
            return "the updater state does not match the parameters";
        }
        return null;
    }

    /** What every layer must lack: dropout, weight noise, constraints, regularization, other normalizations. */
    private static String plainLayer(org.deeplearning4j.nn.conf.layers.Layer c, int l) {
        if (!(c instanceof BaseLayer base)) {
            return "layer " + l + " has no parameters";
        }
        if (base.getIDropout() != null || base.getWeightNoise() != null
                || (base.getConstraints() != null && !base.getConstraints().isEmpty())) {
            return "layer " + l + " has dropout, weight noise or constraints";
        }
        if ((base.getRegularization() != null && !base.getRegularization().isEmpty())
                || (base.getRegularizationBias() != null && !base.getRegularizationBias().isEmpty())) {
            return "layer " + l + " has regularization";
        }
        GradientNormalization normalization = base.getGradientNormalization();
        if (normalization != null && normalization != GradientNormalization.None
                && normalization != GradientNormalization.ClipElementWiseAbsoluteValue) {
            return "layer " + l + " uses " + normalization;
        }
        return null;
    }

    /** Where parameter {@code key} of {@code layer} starts in the flattened parameters; it must be f-ordered and contiguous. */
    private int offset(Layer layer, String key) {
        INDArray view = layer.getParam(key);
        boolean columnMajor = view.rank() == 1 ? view.stride(0) == 1
                : view.rank() == 2 && (view.size(0) == 1
                        ? view.size(1) == 1 || view.stride(1) == 1
                        : view.stride(0) == 1 && (view.size(1) == 1 || view.stride(1) == view.size(0)));
        if (!columnMajor) {
            throw new IllegalStateException("parameter " + key + " of layer " + layer.getIndex() + " is not a contiguous f-ordered view: "
                    + view.shapeInfoToString());
        }
        return (int) ((address(view) - address(paramsView)) / Float.BYTES);
    }

    /** The native address of an array's first element (a view's buffer may itself start inside its parent's). */
    private static long address(INDArray array) {
        FloatPointer first = at(array, 0);
        return first.address() + first.position() * Float.BYTES;
    }

    /** The AdaGrad configuration and clipping threshold of every run of parameters, from DL4J's updater blocks. */
    private static Span[] spans(MultiLayerNetwork network) {
        BaseMultiLayerUpdater<?> updater = (BaseMultiLayerUpdater<?>) network.getUpdater();
        List<Span> spans = new ArrayList<>();
        for (UpdaterBlock block : updater.getUpdaterBlocks()) {
            AdaGrad adaGrad = (AdaGrad) block.getGradientUpdater().getConfig();
            for (UpdaterBlock.ParamState p : block.getLayersAndVariablesInBlock()) {
                BaseLayer conf = (BaseLayer) p.getLayer().getConfig();
                float clip = conf.getGradientNormalization() == GradientNormalization.ClipElementWiseAbsoluteValue
                        ? (float) conf.getGradientNormalizationThreshold() : Float.POSITIVE_INFINITY;
                int stateAt = block.getUpdaterViewOffsetStart() + (p.getParamOffsetStart() - block.getParamOffsetStart());
                spans.add(new Span(p.getParamOffsetStart(), stateAt, p.getParamOffsetEnd() - p.getParamOffsetStart(), adaGrad,
                        clip));
            }
        }
        return spans.toArray(Span[]::new);
    }

    /**
     * Whether this step can take a chunk of this shape: [minibatch, nIn, steps] features and
     * [minibatch, classes, steps] labels, float, the chunk no longer than the backward length, and no
     * listeners (they expect DL4J's own gradient and updater calls).
     */
    public boolean accepts(INDArray features, INDArray labels) {
        MultiLayerConfiguration conf = network.getLayerWiseConfigurations();
        return features.rank() == 3 && labels.rank() == 3 && features.dataType() == DataType.FLOAT
                && labels.dataType() == DataType.FLOAT && features.size(1) == layers[0].nIn && labels.size(1) == classes
                && features.size(0) == labels.size(0) && features.size(2) == labels.size(2)
                && features.size(2) <= conf.getTbpttBackLength() && network.getListeners().isEmpty()
                && network.params() == paramsView && network.getUpdater().getStateViewArray() == stateView;
    }

    /**
     * One update on a chunk, from the state the previous step stored in the layers.
     *
     * @return the score DL4J reports: the summed loss divided by the minibatch size
     */
    public double step(INDArray features, INDArray labels) {
        shape((int) features.size(0), (int) features.size(2));
        paramsBuffer.get((int) paramsView.offset(), params, 0, params.length);
        stateBuffer.get((int) stateView.offset(), state, 0, state.length);
        readInitialStates();
        Arrays.fill(gradient, 0f);
        boolean oneHot = readInput(features);
        inputOneHot = oneHot;
        labelStrides = read(labels, labelValues);

        for (int l = 0; l < layers.length; l++) {
            forward(l, oneHot && l == 0);
        }
        double loss = output();
        for (int l = layers.length - 1; l >= 0; l--) {
            backward(l, oneHot && l == 0);
        }
        int iteration = network.getIterationCount();
        update(iteration, network.getEpochCount());

        paramsBuffer.put((int) paramsView.offset(), params, 0, params.length);
        stateBuffer.put((int) stateView.offset(), state, 0, state.length);
        storeStates();
        double score = loss / minibatch;
        network.setScore(score);
        network.setIterationCount(iteration + 1);
        return score;
    }

    // ---- Memory

    private void shape(int batch, int length) {
        if (batch == minibatch && length == steps) {
            return;
        }
        minibatch = batch;
        steps = length;
        int rows = batch * length;
        for (Recurrent r : layers) {
            int n = r.units;
            r.h = new FloatPointer((long) (rows + batch) * n);
            r.z = new FloatPointer((long) rows * n);
            r.d = new FloatPointer((long) rows * n);
            r.hBuffer = r.h.asBuffer();
            r.zBuffer = r.z.asBuffer();
            r.dBuffer = r.d.asBuffer();
            r.hRows = rows(r.h, rows + batch, n);
            r.zRows = rows(r.z, rows, n);
            r.dRows = rows(r.d, rows, n);
            r.hHeap = new float[(rows + batch) * n];
            r.dHeap = new float[(rows + batch) * n]; // indexed like hHeap: step t's rows after t + 1 blocks
            r.stepScratch = new float[batch * n];
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                r.stateArray = Nd4j.create(DataType.FLOAT, batch, n);
            }
            r.stateBuffer = r.stateArray.data().asNioFloat();
        }
        inputColumns = new int[rows];
        inputValues = new float[batch * layers[0].nIn * length];
        labelValues = new float[batch * classes * length];
        input = new FloatPointer((long) rows * layers[0].nIn);
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            logitsArray = Nd4j.create(DataType.FLOAT, rows, classes);
            expArray = Nd4j.create(DataType.FLOAT, rows, classes);
        }
        logits = at(logitsArray, 0);
        logitsBuffer = logitsArray.data().asNioFloat();
        expBuffer = expArray.data().asNioFloat();
        logitsHeap = new float[rows * classes];
        expHeap = new float[rows * classes];
    }

    private static FloatPointer[] rows(FloatPointer base, int count, int width) {
        FloatPointer[] rows = new FloatPointer[count];
        for (int r = 0; r < count; r++) {
            rows[r] = at(base, (long) r * width);
        }
        return rows;
    }

    /** A pointer {@code elements} floats into {@code base}. */
    private static FloatPointer at(FloatPointer base, long elements) {
        return new FloatPointer(base).position(base.position() + elements);
    }

    /** A pointer {@code elements} floats past an array's first element. */
    private static FloatPointer at(INDArray array, long elements) {
        FloatPointer start = (FloatPointer) array.data().addressPointer();
        return at(start, array.offset() - array.data().offset() + elements);
    }

    // ---- Reading and writing the network

    /** Each layer's initial state: zero without a stored state, else the stored values. */
    private void readInitialStates() {
        for (int l = 0; l < layers.length; l++) {
            Recurrent r = layers[l];
            INDArray stored = ((RecurrentLayer) network.getLayer(l)).rnnGetTBPTTState().get(STATE);
            int size = minibatch * r.units;
            if (stored == null) {
                Arrays.fill(r.hHeap, 0, size, 0f);
            } else {
                if (stored.rank() != 2 || stored.size(0) != minibatch || stored.size(1) != r.units) {
                    throw new IllegalStateException("stored state is for a minibatch of " + stored.size(0) + ", input has "
                            + minibatch + "; clear the state (rnnClearPreviousState) when the minibatch size changes");
                }
                INDArray values = FloatActivations.contiguous(stored.castTo(DataType.FLOAT));
                values.data().asNioFloat().get((int) values.offset(), r.hHeap, 0, size);
            }
            r.hBuffer.put(0, r.hHeap, 0, size);
        }
    }

    /**
     * Each layer's last output as its truncated-BPTT state and its rnnTimeStep state, as DL4J's trainer
     * leaves them. One array per layer is rewritten each step (a new ND4J array costs more than the
     * rest of this method), so a state array taken from the layer changes with the next step.
     */
    private void storeStates() {
        for (int l = 0; l < layers.length; l++) {
            Recurrent r = layers[l];
            int size = minibatch * r.units;
            r.stateBuffer.put((int) r.stateArray.offset(), r.hHeap, steps * size, size);
            RecurrentLayer layer = (RecurrentLayer) network.getLayer(l);
            Map<String, INDArray> state = Map.of(STATE, r.stateArray);
            layer.rnnSetTBPTTState(state);
            layer.rnnSetPreviousState(state);
        }
    }

    /**
     * The features [minibatch, nIn, steps] into {@link #inputValues} (c order); returns whether every
     * row is one-hot or zero. If not, also writes the time-major rows into {@link #input}.
     */
    private boolean readInput(INDArray features) {
        inputStrides = read(features, inputValues);
        int sb = inputStrides[0];
        int si = inputStrides[1];
        int st = inputStrides[2];
        int nIn = layers[0].nIn;
        boolean oneHot = true;
        for (int t = 0; t < steps && oneHot; t++) {
            for (int b = 0; b < minibatch && oneHot; b++) {
                int column = -1;
                int base = b * sb + t * st;
                for (int i = 0; i < nIn; i++) {
                    float v = inputValues[base + i * si];
                    if (v != 0f) {
                        if (v != 1f || column >= 0) {
                            oneHot = false;
                            break;
                        }
                        column = i;
                    }
                }
                inputColumns[t * minibatch + b] = column;
            }
        }
        if (!oneHot) {
            float[] rows = new float[steps * minibatch * nIn];
            for (int t = 0; t < steps; t++) {
                for (int b = 0; b < minibatch; b++) {
                    int base = b * sb + t * st;
                    int row = (t * minibatch + b) * nIn;
                    for (int i = 0; i < nIn; i++) {
                        rows[row + i] = inputValues[base + i * si];
                    }
                }
            }
            input.asBuffer().put(0, rows, 0, rows.length);
        }
        return oneHot;
    }

    /**
     * The values of a [minibatch, width, steps] array into {@code into}, as they lie in memory when
     * they fill one block (any order of the dimensions: CharChunks hands over permuted time-major
     * arrays), else copied to c order first; returns the strides of the three dimensions in {@code into}.
     */
    private static int[] read(INDArray array, float[] into) {
        INDArray values = array;
        long span = 1;
        boolean block = true;
        for (int d = 0; d < 3; d++) {
            if (values.size(d) > 1) {
                block &= values.stride(d) > 0;
                span += (values.size(d) - 1) * values.stride(d);
            }
        }
        if (!block || span != values.length()) {
            values = values.dup('c');
        }
        values.data().asNioFloat().get((int) values.offset(), into, 0, into.length);
        return new int[] {(int) values.stride(0), (int) values.stride(1), (int) values.stride(2)};
    }

    // ---- Forward

    /** h_t = tanh(x_t W + h_{t-1} RW + b) for every step of layer l. */
    private void forward(int l, boolean oneHot) {
        Recurrent r = layers[l];
        int n = r.units;
        int rows = steps * minibatch;
        float[] h = r.hHeap;
        int first = minibatch * n; // outputs start after the initial state
        // x W + b for all steps at once, into z (through the heap part of h, not yet written)
        if (oneHot) {
            for (int row = 0; row < rows; row++) {
                int at = first + row * n;
                System.arraycopy(params, r.b, h, at, n);
                int column = inputColumns[row];
                if (column >= 0) {
                    for (int j = 0; j < n; j++) {
                        h[at + j] += params[r.w + column + j * r.nIn]; // W(column, j), f order
                    }
                }
            }
            r.zBuffer.put(0, h, first, rows * n);
        } else {
            FloatPointer x = l == 0 ? input : layers[l - 1].hRows[minibatch];
            for (int row = 0; row < rows; row++) {
                System.arraycopy(params, r.b, h, first + row * n, n);
            }
            r.zBuffer.put(0, h, first, rows * n);
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, n, r.nIn, 1f, x, r.nIn, r.weights,
                    r.nIn, 1f, r.z, n);
        }
        FloatPointer rw = r.recurrentWeights;
        int block = minibatch * n;
        for (int t = 0; t < steps; t++) {
            int at = first + t * block;
            int firstRow = t * minibatch;
            if (minibatch > ROWS_PER_VECTOR_PRODUCTS) {
                // Z_t += H_{t-1} RW; DL4J's f-ordered RW is RW^T row-major
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, minibatch, n, n, 1f, r.hRows[firstRow], n, rw, n, 1f,
                        r.zRows[firstRow], n);
            } else {
                for (int row = firstRow; row < firstRow + minibatch; row++) {
                    cblas_sgemv(CblasRowMajor, CblasNoTrans, n, n, 1f, rw, n, r.hRows[row], 1, 1f, r.zRows[row], 1);
                }
            }
            float[] step = r.stepScratch;
            r.zBuffer.get(at - first, step, 0, block);
            FloatActivations.tanh(step, step, block);
            System.arraycopy(step, 0, h, at, block);
            r.hBuffer.put(at, step, 0, block);
        }
    }

    // ---- Output layer: softmax, loss and its gradient; dW, db and the gradient into the top layer's outputs

    private double output() {
        Recurrent top = layers[layers.length - 1];
        int n = hidden;
        int k = classes;
        int rows = steps * minibatch;
        FloatPointer h = top.hRows[minibatch];
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, k, n, 1f, h, n, outWeights, n, 0f, logits, k);
        float[] z = logitsHeap;
        float[] p = expHeap;
        logitsBuffer.get(0, z, 0, rows * k);
        for (int row = 0; row < rows; row++) {
            int at = row * k;
            for (int j = 0; j < k; j++) {
                z[at + j] += params[outB + j];
            }
        }
        logitsBuffer.put(0, z, 0, rows * k);
        // ND4J's exp is vectorized; Java's Math.exp costs more here than the op's set-up
        Nd4j.exec(new Exp(logitsArray, expArray));
        expBuffer.get(0, p, 0, rows * k);
        double loss = 0;
        float lo = (float) lnMin;
        float hi = (float) lnMax;
        int sb = labelStrides[0];
        int sj = labelStrides[1];
        int st = labelStrides[2];
        for (int t = 0; t < steps; t++) {
            for (int b = 0; b < minibatch; b++) {
                int at = (t * minibatch + b) * k;
                float sum = 0f;
                for (int j = at; j < at + k; j++) {
                    sum += p[j];
                }
                float shift = 0f;
                if (!(sum >= Float.MIN_NORMAL && sum <= Float.MAX_VALUE)) {
                    // exp overflowed or the whole row underflowed: the guarded way, shifted by the row's maximum
                    shift = Float.NEGATIVE_INFINITY;
                    for (int j = at; j < at + k; j++) {
                        shift = Math.max(shift, z[j]);
                    }
                    sum = 0f;
                    for (int j = at; j < at + k; j++) {
                        p[j] = (float) Math.exp(z[j] - shift);
                        sum += p[j];
                    }
                }
                float lnSum = (float) Math.log(sum) + shift;
                int labelBase = b * sb + t * st;
                float labelSum = 0f;
                for (int j = 0; j < k; j++) {
                    float y = labelValues[labelBase + j * sj];
                    if (y != 0f) {
                        loss -= y * Math.max(lo, Math.min(hi, z[at + j] - lnSum)); // ln p, clipped as DL4J clips p
                        labelSum += y;
                    }
                }
                float scale = labelSum / sum;
                for (int j = 0; j < k; j++) {
                    float d = p[at + j] * scale - labelValues[labelBase + j * sj]; // p sum(y) - y
                    p[at + j] = d;
                    gradient[outB + j] += d;
                }
            }
        }
        logitsBuffer.put(0, p, 0, rows * k); // delta, over the logits
        // dW^T = delta^T H (DL4J's f-ordered dW), and dL/dH = delta W^T
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, k, n, rows, 1f, logits, k, h, n, 0f, outGradient, n);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, n, k, 1f, logits, k, outWeights, n, 0f, top.d, n);
        return loss;
    }

    // ---- Backward through time

    /** delta_t = (dL/dh_t + RW delta_{t+1}) (1 - h_t^2), from the last step back, and layer l's gradients. */
    private void backward(int l, boolean oneHot) {
        Recurrent r = layers[l];
        int n = r.units;
        int rows = steps * minibatch;
        int block = minibatch * n;
        float[] h = r.hHeap;
        float[] delta = r.dHeap;
        FloatPointer rw = r.recurrentWeights;
        for (int t = steps - 1; t >= 0; t--) {
            int at = t * block;
            int hAt = at + block;
            r.dBuffer.get(at, delta, hAt, block);
            for (int i = hAt; i < hAt + block; i++) {
                delta[i] *= 1f - h[i] * h[i];
            }
            r.dBuffer.put(at, delta, hAt, block);
            int first = t * minibatch;
            if (t > 0 && minibatch > ROWS_PER_VECTOR_PRODUCTS) {
                // dL/dH_{t-1} += Delta_t RW^T
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, minibatch, n, n, 1f, r.dRows[first], n, rw, n, 1f,
                        r.dRows[first - minibatch], n);
            } else if (t > 0) {
                for (int row = first; row < first + minibatch; row++) {
                    cblas_sgemv(CblasRowMajor, CblasTrans, n, n, 1f, rw, n, r.dRows[row], 1, 1f, r.dRows[row - minibatch], 1);
                }
            }
        }
        // dRW^T = delta^T H_{t-1} over all steps; db = column sums of delta
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, n, rows, 1f, r.d, n, r.hRows[0], n, 0f,
                r.recurrentGradient, n);
        for (int row = 0; row < rows; row++) {
            int at = (row + minibatch) * n;
            for (int j = 0; j < n; j++) {
                gradient[r.b + j] += delta[at + j];
            }
        }
        if (oneHot) {
            for (int row = 0; row < rows; row++) {
                int column = inputColumns[row];
                if (column >= 0) {
                    int at = (row + minibatch) * n;
                    for (int j = 0; j < n; j++) {
                        gradient[r.w + column + j * r.nIn] += delta[at + j];
                    }
                }
            }
        } else {
            FloatPointer x = l == 0 ? input : layers[l - 1].hRows[minibatch];
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, r.nIn, rows, 1f, r.d, n, x, r.nIn, 0f,
                    r.weightGradient, r.nIn);
            if (l > 0) {
                // dL/dx = delta W^T, the layer below's dL/dh
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, r.nIn, n, 1f, r.d, n, r.weights,
                        r.nIn, 0f, layers[l - 1].d, r.nIn);
            }
        }
    }

    // ---- Updater: divide by the minibatch, clip per layer, AdaGrad, as DL4J's updater orders them

    private void update(int iteration, int epoch) {
        FloatBuffer products = gradientBuffer;
        products.get(outW, gradient, outW, hidden * classes);
        for (int l = 0; l < layers.length; l++) {
            Recurrent r = layers[l];
            products.get(r.rw, gradient, r.rw, r.units * r.units);
            if (l > 0 || !inputOneHot) {
                products.get(r.w, gradient, r.w, r.nIn * r.units);
            }
        }
        float divisor = minibatch;
        for (Span s : spans) {
            float lr = (float) s.adaGrad().getLearningRate(iteration, epoch);
            float eps = (float) s.adaGrad().getEpsilon();
            float clip = s.clip();
            int from = s.param();
            int to = from + s.length();
            int shift = s.state() - from;
            if (minibatch > 1) {
                for (int i = from; i < to; i++) {
                    gradient[i] /= divisor;
                }
            }
            if (shift == 0) {
                // one index for all three arrays, so that HotSpot can vectorize the loop
                for (int i = from; i < to; i++) {
                    float g = Math.max(-clip, Math.min(clip, gradient[i]));
                    float h = state[i] + g * g;
                    state[i] = h;
                    params[i] -= lr * g / ((float) Math.sqrt(h) + eps);
                }
            } else {
                for (int i = from; i < to; i++) {
                    float g = Math.max(-clip, Math.min(clip, gradient[i]));
                    float h = state[i + shift] + g * g;
                    state[i + shift] = h;
                    params[i] -= lr * g / ((float) Math.sqrt(h) + eps);
                }
            }
        }
    }
}
