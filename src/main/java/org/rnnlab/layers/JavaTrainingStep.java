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
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.dropout.IDropout;
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
import org.nd4j.linalg.learning.config.AdaGrad;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

/**
 * One truncated-BPTT training step of a stack of tanh SimpleRnn layers under a softmax RnnOutputLayer
 * (multi-class cross-entropy), AdaGrad, Adam or RMSProp, and elementwise clipping: the update DL4J's Solver makes for
 * the same network, chunk and carried state, without DL4J's and ND4J's per-op and per-iteration
 * costs, which at a minibatch of one are most of an iteration and at char-rnn's 96 streams still a
 * good part of one.
 *
 * <p>It does what one {@code Solver.optimize} of {@code StochasticGradientDescent} followed by
 * {@code updateRnnStateWithTBPTTState} does: forward from each layer's stored truncated-BPTT state,
 * the loss and its gradient, backprop through time over the whole chunk, then the updater's order:
 * the gradient divided by the minibatch size, clipped to [-t, t] per layer, the updater's rule
 * (in float, like ND4J's ops), the score, the iteration
 * count, and each layer's last output stored as both its truncated-BPTT and its rnnTimeStep state.
 *
 * <p>Matrix products go straight to OpenBLAS on native memory (the network's own parameters, read
 * where they lie: DL4J's f-ordered W is a row-major W^T): one matrix-vector product per step and
 * row for the recurrences, one matrix product over all steps for everything else. The elementwise
 * work (tanh, softmax, one-hot look-ups, the updater) runs in Java on heap copies. For a single row
 * OpenBLAS's sgemm costs many times its sgemv, hence the split (measurements: docs/benchmarks.md,
 * "What made each of them fast", minibatch 1).
 *
 * <p>The network stays the single source of truth: every step reads the parameters, the updater's
 * history and the stored states from the network and writes the new ones back before it returns, so
 * saving, sampling, resuming or a DL4J step in between all see the state of the last step.
 *
 * <p>With more than one thread the streams are cut into contiguous parts, one per thread: each part
 * runs the forward pass, the loss and backprop for its streams on buffers of its own, from its rows
 * of the stored states, reading the parameters the step copied once. The parts' gradients and
 * losses are summed in part order (so a given thread count gives the same result every time), then
 * the updater runs once on the caller. Part 0 runs on the caller, part k on a daemon thread of its
 * own; {@link #close} ends them. The result is the one-thread step up to the order of float sums.
 *
 * <p>{@link #unsupported} names what it cannot do; callers then use DL4J's step.
 */
public final class JavaTrainingStep implements AutoCloseable {
    /**
     * The largest minibatch the step takes: the largest at which it has been measured against
     * DL4J's path over the fast layers (it was the quicker at every size up to there, char-rnn's 96
     * streams included); above it DL4J's path, untried.
     */
    public static final int MAX_MINIBATCH = 96;
    private static final String STATE = org.deeplearning4j.nn.layers.recurrent.SimpleRnn.STATE_KEY_PREV_ACTIVATION;
    /**
     * Up to this many rows a step, the recurrences make one sgemv per row: OpenBLAS's sgemm has a
     * fixed cost of several sgemvs, and overtakes them at about a dozen rows.
     */
    private static final int ROWS_PER_VECTOR_PRODUCTS = 12;

    /** One SimpleRnn layer: sizes, where its parameters lie, and its stored state for one shape. */
    private static final class Recurrent {
        final int nIn;
        final int units;
        final int w;
        final int rw;
        final int b;
        /** W and RW in native memory. */
        FloatPointer weights;
        FloatPointer recurrentWeights;
        /** The array stored as the layer's state after each step, rewritten in place. */
        INDArray stateArray;
        FloatBuffer stateBuffer;
        /** The state the step starts from, [minibatch, units], on the heap. */
        float[] initial;

        Recurrent(int nIn, int units, int w, int rw, int b) {
            this.nIn = nIn;
            this.units = units;
            this.w = w;
            this.rw = rw;
            this.b = b;
        }
    }

    /** One layer's working memory in one part. */
    private static final class Memory {
        /** Native: outputs h (block 0 the initial state, then one block of the part's rows per step), pre-activations, dL/dh then delta. */
        final FloatPointer h;
        final FloatPointer z;
        final FloatPointer d;
        final FloatBuffer hBuffer;
        final FloatBuffer zBuffer;
        final FloatBuffer dBuffer;
        /** Row r of h, z and d, for the per-row products. */
        final FloatPointer[] hRows;
        final FloatPointer[] zRows;
        final FloatPointer[] dRows;
        /** Heap copies of h and delta for the elementwise work (delta indexed like h), and one step's rows. */
        final float[] hHeap;
        final float[] dHeap;
        final float[] stepScratch;
        /** dW and dRW in the part's native gradient. */
        final FloatPointer weightGradient;
        final FloatPointer recurrentGradient;

        Memory(Recurrent r, int streams, int steps, FloatPointer gradientNative) {
            int rows = streams * steps;
            int n = r.units;
            h = new FloatPointer((long) (rows + streams) * n);
            z = new FloatPointer((long) rows * n);
            d = new FloatPointer((long) rows * n);
            hBuffer = h.asBuffer();
            zBuffer = z.asBuffer();
            dBuffer = d.asBuffer();
            hRows = rows(h, rows + streams, n);
            zRows = rows(z, rows, n);
            dRows = rows(d, rows, n);
            hHeap = new float[(rows + streams) * n];
            dHeap = new float[(rows + streams) * n]; // indexed like hHeap: step t's rows after t + 1 blocks
            stepScratch = new float[streams * n];
            weightGradient = at(gradientNative, r.w);
            recurrentGradient = at(gradientNative, r.rw);
        }
    }

    /**
     * A run of parameters with one updater configuration and one clipping threshold. {@code state}
     * is where its first parameter's updater state lies; Adam keeps a second array (v after m) one
     * block further on, {@code blockLength} parameters later.
     */
    private record Span(int param, int state, int length, int blockLength, IUpdater updater, float clip,
            List<WeightDecay> decays) {
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
    /** The network's parameters in native memory. */
    private final FloatPointer paramsNative;
    private final FloatBuffer paramsBuffer;
    private final FloatBuffer stateBuffer;
    private final FloatPointer outWeights;
    private final float[] params;
    private final float[] state;
    /** The parts' gradients summed. */
    private final float[] gradient;
    /** The parameters before the update, where a weight decay needs them. */
    private final float[] decayed;
    /** The weight decays' share of the last step's score. */
    private double regularization;
    /**
     * Per layer input (index l: layer l's, the last the output layer's), the probability that DL4J's
     * Dropout keeps a value; 1 for no dropout (always at index 0: the first layer takes the text itself).
     */
    private final float[] retain;
    private final DropoutMasks masks;
    /** The threads the parts run on; null for one thread. */
    private final PartThreads threads;
    /** Whether {@link #close} ends {@link #threads}: made by this step rather than handed to it. */
    private final boolean ownsThreads;
    private final int threadCount;
    private Part[] parts = new Part[0];
    private int minibatch = -1;
    private int steps = -1;
    /** The one-hot column of each time-major input row (all streams, each part writing its own), or -1 for a row of zeros. */
    private int[] inputColumns = new int[0];
    private float[] inputValues = new float[0];
    private float[] labelValues = new float[0];
    /** Strides of {@link #inputValues} and {@link #labelValues}: minibatch, width, step. */
    private int[] inputStrides;
    private int[] labelStrides;
    private boolean closed;

    private JavaTrainingStep(MultiLayerNetwork network, PartThreads threads, boolean ownsThreads, DropoutMasks masks) {
        this.network = network;
        this.masks = masks;
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
        decayed = new float[length];
        retain = new float[count];
        for (int l = 0; l < count; l++) {
            IDropout dropout = ((BaseLayer) network.getLayer(l).conf().getLayer()).getIDropout();
            retain[l] = dropout == null ? 1f : (float) ((Dropout) dropout).getP();
        }
        paramsNative = at(paramsView, 0);
        paramsBuffer = paramsView.data().asNioFloat();
        stateBuffer = stateView.data().asNioFloat();
        for (Recurrent r : layers) {
            r.weights = at(paramsNative, r.w);
            r.recurrentWeights = at(paramsNative, r.rw);
        }
        outWeights = at(paramsNative, outW);
        this.threads = threads;
        this.ownsThreads = ownsThreads;
        this.threadCount = threads == null ? 1 : threads.threads();
    }

    /** The step for {@code network} on the calling thread, or null when {@link #unsupported} has a reason. */
    public static JavaTrainingStep of(MultiLayerNetwork network) {
        return of(network, 1);
    }

    /**
     * The step for {@code network} with the streams shared among {@code threads} threads (the caller's
     * and {@code threads - 1} of its own), or null when {@link #unsupported} has a reason.
     */
    public static JavaTrainingStep of(MultiLayerNetwork network, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        if (unsupported(network) != null) {
            return null;
        }
        return of(network, threads, DropoutMasks.bernoulli(network.getLayerWiseConfigurations().getConf(0).getSeed()));
    }

    /** The same, with dropout's masks from {@code masks} (tests pass masks they can rebuild on DL4J's side). */
    public static JavaTrainingStep of(MultiLayerNetwork network, int threads, DropoutMasks masks) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        if (unsupported(network) != null) {
            return null;
        }
        return new JavaTrainingStep(network, threads > 1 ? new PartThreads(threads, "rnnlab-java-step-part-") : null, true,
                masks);
    }

    /**
     * The step for {@code network} with the streams shared among {@code threads} (one part per
     * thread), which stay open when this step is closed; or null when {@link #unsupported} has a reason.
     */
    public static JavaTrainingStep of(MultiLayerNetwork network, PartThreads threads) {
        return unsupported(network) == null ? new JavaTrainingStep(network, threads, false,
                DropoutMasks.bernoulli(network.getLayerWiseConfigurations().getConf(0).getSeed())) : null;
    }

    /** The weight decays' share of the last step's score (sum of c/2 ||w||^2 before its update); 0 without decay. */
    public double regularizationScore() {
        return regularization;
    }

    /** The number of threads the streams are shared among. */
    public int threads() {
        return threadCount;
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
        long stateLength = 0;
        for (UpdaterBlock block : updater.getUpdaterBlocks()) {
            IUpdater config = block.getGradientUpdater().getConfig();
            if (!(config instanceof AdaGrad || config instanceof Adam || config instanceof RmsProp)) {
                return "an updater other than AdaGrad, Adam or RMSProp";
            }
            stateLength += config.stateSize(block.getParamOffsetEnd() - block.getParamOffsetStart());
        }
        INDArray stateView = updater.getStateViewArray();
        if (stateView == null || stateView.length() != stateLength || stateView.dataType() != DataType.FLOAT) {
            return "the updater state does not match the parameters";
        }
        return null;
    }

    /** What every layer must lack: dropout other than plain Dropout above the first layer, weight noise, constraints, regularization other than weight decay, other normalizations. */
    private static String plainLayer(org.deeplearning4j.nn.conf.layers.Layer c, int l) {
        if (!(c instanceof BaseLayer base)) {
            return "layer " + l + " has no parameters";
        }
        IDropout dropout = base.getIDropout();
        if (dropout != null && (l == 0 || !(dropout instanceof Dropout d) || d.getPSchedule() != null
                || !(d.getP() > 0 && d.getP() <= 1))) {
            return "layer " + l + " has dropout other than DL4J's Dropout with a fixed p above the first layer";
        }
        if (base.getWeightNoise() != null || (base.getConstraints() != null && !base.getConstraints().isEmpty())) {
            return "layer " + l + " has weight noise or constraints";
        }
        if (!onlyWeightDecay(base.getRegularization()) || !onlyWeightDecay(base.getRegularizationBias())) {
            return "layer " + l + " has regularization other than weight decay";
        }
        GradientNormalization normalization = base.getGradientNormalization();
        if (normalization != null && normalization != GradientNormalization.None
                && normalization != GradientNormalization.ClipElementWiseAbsoluteValue) {
            return "layer " + l + " uses " + normalization;
        }
        return null;
    }

    /** Whether a list holds only weight decays (DL4J applies each one: its global builder adds the same decay twice). */
    private static boolean onlyWeightDecay(List<Regularization> regularization) {
        return regularization == null || regularization.stream().allMatch(r -> r instanceof WeightDecay);
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

    /** The updater configuration and clipping threshold of every run of parameters, from DL4J's updater blocks. */
    private static Span[] spans(MultiLayerNetwork network) {
        BaseMultiLayerUpdater<?> updater = (BaseMultiLayerUpdater<?>) network.getUpdater();
        List<Span> spans = new ArrayList<>();
        for (UpdaterBlock block : updater.getUpdaterBlocks()) {
            IUpdater config = block.getGradientUpdater().getConfig();
            int blockLength = block.getParamOffsetEnd() - block.getParamOffsetStart();
            for (UpdaterBlock.ParamState p : block.getLayersAndVariablesInBlock()) {
                BaseLayer conf = (BaseLayer) p.getLayer().getConfig();
                float clip = conf.getGradientNormalization() == GradientNormalization.ClipElementWiseAbsoluteValue
                        ? (float) conf.getGradientNormalizationThreshold() : Float.POSITIVE_INFINITY;
                int stateAt = block.getUpdaterViewOffsetStart() + (p.getParamOffsetStart() - block.getParamOffsetStart());
                List<Regularization> regularization = conf.getRegularizationByParam(p.getParamName());
                List<WeightDecay> decays = regularization == null ? List.of()
                        : regularization.stream().map(WeightDecay.class::cast).toList();
                spans.add(new Span(p.getParamOffsetStart(), stateAt, p.getParamOffsetEnd() - p.getParamOffsetStart(),
                        blockLength, config, clip, decays));
            }
        }
        return spans.toArray(Span[]::new);
    }

    /**
     * Whether this step can take a chunk of this shape: [minibatch, nIn, steps] features and
     * [minibatch, classes, steps] labels, float, at most {@link #MAX_MINIBATCH} streams, the chunk no
     * longer than the backward length, and no listeners (they expect DL4J's own gradient and updater
     * calls).
     */
    public boolean accepts(INDArray features, INDArray labels) {
        MultiLayerConfiguration conf = network.getLayerWiseConfigurations();
        return features.rank() == 3 && features.size(0) <= MAX_MINIBATCH && labels.rank() == 3 && features.dataType() == DataType.FLOAT
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
        if (closed) {
            throw new IllegalStateException("the step is closed");
        }
        shape((int) features.size(0), (int) features.size(2));
        paramsBuffer.get((int) paramsView.offset(), params, 0, params.length);
        stateBuffer.get((int) stateView.offset(), state, 0, state.length);
        readInitialStates();
        inputStrides = read(features, inputValues);
        labelStrides = read(labels, labelValues);

        if (parts.length == 1) {
            parts[0].run();
        } else {
            threads.run(parts.length, k -> parts[k].run());
        }
        // The parts' gradients and losses in part order
        System.arraycopy(parts[0].gradient, 0, gradient, 0, gradient.length);
        double loss = parts[0].loss;
        for (int k = 1; k < parts.length; k++) {
            float[] g = parts[k].gradient;
            for (int i = 0; i < gradient.length; i++) {
                gradient[i] += g[i];
            }
            loss += parts[k].loss;
        }
        int iteration = network.getIterationCount();
        regularization = decayScore(iteration, network.getEpochCount());
        update(iteration, network.getEpochCount());

        paramsBuffer.put((int) paramsView.offset(), params, 0, params.length);
        stateBuffer.put((int) stateView.offset(), state, 0, state.length);
        storeStates();
        double score = loss / minibatch + regularization;
        network.setScore(score);
        network.setIterationCount(iteration + 1);
        return score;
    }

    /** Ends the step's threads (waiting for them) unless they were handed to it; it takes no more steps. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (threads != null && ownsThreads) {
            threads.close();
        }
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
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                r.stateArray = Nd4j.create(DataType.FLOAT, batch, r.units);
            }
            r.stateBuffer = r.stateArray.data().asNioFloat();
            r.initial = new float[batch * r.units];
        }
        inputColumns = new int[rows];
        inputValues = new float[batch * layers[0].nIn * length];
        labelValues = new float[batch * classes * length];
        int[] from = PartThreads.split(batch, Math.min(threadCount, batch));
        parts = new Part[from.length - 1];
        for (int k = 0; k < parts.length; k++) {
            parts[k] = new Part(from[k], from[k + 1] - from[k]);
        }
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

    /** Each layer's initial state into {@link Recurrent#initial}: zero without a stored state, else the stored values. */
    private void readInitialStates() {
        for (int l = 0; l < layers.length; l++) {
            Recurrent r = layers[l];
            INDArray stored = ((RecurrentLayer) network.getLayer(l)).rnnGetTBPTTState().get(STATE);
            int size = minibatch * r.units;
            if (stored == null) {
                Arrays.fill(r.initial, 0, size, 0f);
            } else {
                if (stored.rank() != 2 || stored.size(0) != minibatch || stored.size(1) != r.units) {
                    throw new IllegalStateException("stored state is for a minibatch of " + stored.size(0) + ", input has "
                            + minibatch + "; clear the state (rnnClearPreviousState) when the minibatch size changes");
                }
                INDArray values = FloatActivations.contiguous(stored.castTo(DataType.FLOAT));
                values.data().asNioFloat().get((int) values.offset(), r.initial, 0, size);
            }
        }
    }

    /**
     * Each layer's last output as its truncated-BPTT state and its rnnTimeStep state, as DL4J's trainer
     * leaves them, each part's streams in their rows. One array per layer is rewritten each step (a
     * new ND4J array costs more than the rest of this method), so a state array taken from the layer
     * changes with the next step.
     */
    private void storeStates() {
        for (int l = 0; l < layers.length; l++) {
            Recurrent r = layers[l];
            int offset = (int) r.stateArray.offset();
            for (Part part : parts) {
                int size = part.streams * r.units;
                r.stateBuffer.put(offset + part.first * r.units, part.memory[l].hHeap, steps * size, size);
            }
            RecurrentLayer layer = (RecurrentLayer) network.getLayer(l);
            Map<String, INDArray> state = Map.of(STATE, r.stateArray);
            layer.rnnSetTBPTTState(state);
            layer.rnnSetPreviousState(state);
        }
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
    // ---- One part: streams [first, first + streams), forward, output and backward into its own gradient

    private final class Part {
        final int first;
        final int streams;
        final Memory[] memory;
        /** Time-major input rows [steps * streams, nIn], for a dense first-layer input. */
        final FloatPointer input;
        /** The logits [steps * streams, classes] (then delta, over them) and their exp, native. */
        final INDArray logitsArray;
        final INDArray expArray;
        final FloatPointer logits;
        final FloatBuffer logitsBuffer;
        final FloatBuffer expBuffer;
        final float[] logitsHeap;
        final float[] expHeap;
        /** The part's gradient, of the parameters' layout, on the heap and (for the matrix products) native. */
        final float[] gradient;
        final FloatPointer gradientNative;
        final FloatBuffer gradientBuffer;
        final FloatPointer outGradient;
        /** The part's summed loss, after {@link #run}. */
        double loss;
        /** Per layer input with dropout: each value's factor (0 or 1/p), time-major rows, and the input times it, native. */
        final float[][] keep;
        final FloatPointer[] dropped;

        Part(int first, int streams) {
            this.first = first;
            this.streams = streams;
            int rows = streams * steps;
            keep = new float[retain.length][];
            dropped = new FloatPointer[retain.length];
            for (int l = 1; l < retain.length; l++) {
                if (retain[l] < 1f) {
                    keep[l] = new float[rows * layers[l - 1].units];
                    dropped[l] = new FloatPointer((long) rows * layers[l - 1].units);
                }
            }
            gradient = new float[params.length];
            gradientNative = new FloatPointer(params.length);
            gradientBuffer = gradientNative.asBuffer();
            outGradient = at(gradientNative, outW);
            memory = new Memory[layers.length];
            for (int l = 0; l < layers.length; l++) {
                memory[l] = new Memory(layers[l], streams, steps, gradientNative);
            }
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

        void run() {
            Arrays.fill(gradient, 0f);
            boolean oneHot = readColumns();
            for (int l = 0; l < layers.length; l++) {
                Memory m = memory[l];
                int size = streams * layers[l].units;
                System.arraycopy(layers[l].initial, first * layers[l].units, m.hHeap, 0, size);
                m.hBuffer.put(0, m.hHeap, 0, size);
            }
            if (!oneHot) {
                denseInput();
            }
            int iteration = network.getIterationCount();
            for (int l = 1; l < retain.length; l++) {
                if (keep[l] != null) {
                    masks.fill(keep[l], iteration, l, first, streams, steps, layers[l - 1].units, retain[l]);
                }
            }
            for (int l = 0; l < layers.length; l++) {
                forward(l, oneHot && l == 0);
            }
            loss = output();
            for (int l = layers.length - 1; l >= 0; l--) {
                backward(l, oneHot && l == 0);
            }
            // the matrix products' gradients from native memory
            gradientBuffer.get(outW, gradient, outW, hidden * classes);
            for (int l = 0; l < layers.length; l++) {
                Recurrent r = layers[l];
                gradientBuffer.get(r.rw, gradient, r.rw, r.units * r.units);
                if (l > 0 || !oneHot) {
                    gradientBuffer.get(r.w, gradient, r.w, r.nIn * r.units);
                }
            }
        }

        /**
         * Each of the part's time-major rows' one-hot column into {@link #inputColumns}; returns
         * whether every row of the part is one-hot or zero (each part decides for itself).
         */
        private boolean readColumns() {
            int sb = inputStrides[0];
            int si = inputStrides[1];
            int st = inputStrides[2];
            int nIn = layers[0].nIn;
            for (int t = 0; t < steps; t++) {
                for (int b = first; b < first + streams; b++) {
                    int column = -1;
                    int base = b * sb + t * st;
                    for (int i = 0; i < nIn; i++) {
                        float v = inputValues[base + i * si];
                        if (v != 0f) {
                            if (v != 1f || column >= 0) {
                                return false;
                            }
                            column = i;
                        }
                    }
                    inputColumns[t * minibatch + b] = column;
                }
            }
            return true;
        }

        /** The one-hot column of the part's time-major row {@code row}. */
        private int column(int row) {
            return inputColumns[(row / streams) * minibatch + first + row % streams];
        }

        /** The part's streams of {@link #inputValues} as time-major rows into {@link #input}. */
        private void denseInput() {
            int sb = inputStrides[0];
            int si = inputStrides[1];
            int st = inputStrides[2];
            int nIn = layers[0].nIn;
            float[] rows = new float[steps * streams * nIn];
            for (int t = 0; t < steps; t++) {
                for (int b = 0; b < streams; b++) {
                    int base = (first + b) * sb + t * st;
                    int row = (t * streams + b) * nIn;
                    for (int i = 0; i < nIn; i++) {
                        rows[row + i] = inputValues[base + i * si];
                    }
                }
            }
            input.asBuffer().put(0, rows, 0, rows.length);
        }

        /** h_t = tanh(x_t W + h_{t-1} RW + b) for every step of layer l. */
        private void forward(int l, boolean oneHot) {
            Recurrent r = layers[l];
            Memory m = memory[l];
            int n = r.units;
            int rows = steps * streams;
            float[] h = m.hHeap;
            int first = streams * n; // outputs start after the initial state
            // x W + b for all steps at once, into z (through the heap part of h, not yet written)
            if (oneHot) {
                for (int row = 0; row < rows; row++) {
                    int at = first + row * n;
                    System.arraycopy(params, r.b, h, at, n);
                    int column = column(row);
                    if (column >= 0) {
                        for (int j = 0; j < n; j++) {
                            h[at + j] += params[r.w + column + j * r.nIn]; // W(column, j), f order
                        }
                    }
                }
                m.zBuffer.put(0, h, first, rows * n);
            } else {
                FloatPointer x = l == 0 ? input : inputOf(l);
                for (int row = 0; row < rows; row++) {
                    System.arraycopy(params, r.b, h, first + row * n, n);
                }
                m.zBuffer.put(0, h, first, rows * n);
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, n, r.nIn, 1f, x, r.nIn, r.weights,
                        r.nIn, 1f, m.z, n);
            }
            FloatPointer rw = r.recurrentWeights;
            int block = streams * n;
            for (int t = 0; t < steps; t++) {
                int at = first + t * block;
                int firstRow = t * streams;
                if (streams > ROWS_PER_VECTOR_PRODUCTS) {
                    // Z_t += H_{t-1} RW; DL4J's f-ordered RW is RW^T row-major
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, streams, n, n, 1f, m.hRows[firstRow], n, rw, n, 1f,
                            m.zRows[firstRow], n);
                } else {
                    for (int row = firstRow; row < firstRow + streams; row++) {
                        cblas_sgemv(CblasRowMajor, CblasNoTrans, n, n, 1f, rw, n, m.hRows[row], 1, 1f, m.zRows[row], 1);
                    }
                }
                float[] step = m.stepScratch;
                m.zBuffer.get(at - first, step, 0, block);
                FloatActivations.tanh(step, step, block);
                System.arraycopy(step, 0, h, at, block);
                m.hBuffer.put(at, step, 0, block);
            }
        }

        /** Softmax, the loss and its gradient; dW, db and the gradient into the top layer's outputs. */
        private double output() {
            Memory top = memory[layers.length - 1];
            int n = hidden;
            int k = classes;
            int rows = steps * streams;
            FloatPointer h = inputOf(layers.length);
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
                for (int b = 0; b < streams; b++) {
                    int at = (t * streams + b) * k;
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
                    int labelBase = (first + b) * sb + t * st;
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
            dropoutBack(layers.length);
            return loss;
        }

        /**
         * Layer l's input (l = layers.length: the output layer's): the outputs of the layer below,
         * times dropout's factors where it has dropout (DL4J's inverted dropout: kept values over p).
         */
        private FloatPointer inputOf(int l) {
            Memory below = memory[l - 1];
            if (keep[l] == null) {
                return below.hRows[streams];
            }
            float[] factor = keep[l];
            int size = factor.length;
            int first = streams * layers[l - 1].units; // outputs start after the initial state
            float[] scratch = below.dHeap; // free until backward: the forward pass does not use it
            for (int i = 0; i < size; i++) {
                scratch[i] = below.hHeap[first + i] * factor[i];
            }
            dropped[l].asBuffer().put(0, scratch, 0, size);
            return dropped[l];
        }

        /** The gradient into layer l's input, dL/dx, back through dropout: times the same factors, into the layer below's dL/dh. */
        private void dropoutBack(int l) {
            if (keep[l] == null) {
                return;
            }
            Memory below = memory[l - 1];
            float[] factor = keep[l];
            float[] scratch = below.dHeap;
            below.dBuffer.get(0, scratch, 0, factor.length);
            for (int i = 0; i < factor.length; i++) {
                scratch[i] *= factor[i];
            }
            below.dBuffer.put(0, scratch, 0, factor.length);
        }

        /** delta_t = (dL/dh_t + RW delta_{t+1}) (1 - h_t^2), from the last step back, and layer l's gradients. */
        private void backward(int l, boolean oneHot) {
            Recurrent r = layers[l];
            Memory m = memory[l];
            int n = r.units;
            int rows = steps * streams;
            int block = streams * n;
            float[] h = m.hHeap;
            float[] delta = m.dHeap;
            FloatPointer rw = r.recurrentWeights;
            for (int t = steps - 1; t >= 0; t--) {
                int at = t * block;
                int hAt = at + block;
                m.dBuffer.get(at, delta, hAt, block);
                for (int i = hAt; i < hAt + block; i++) {
                    delta[i] *= 1f - h[i] * h[i];
                }
                m.dBuffer.put(at, delta, hAt, block);
                int firstRow = t * streams;
                if (t > 0 && streams > ROWS_PER_VECTOR_PRODUCTS) {
                    // dL/dH_{t-1} += Delta_t RW^T
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, streams, n, n, 1f, m.dRows[firstRow], n, rw, n, 1f,
                            m.dRows[firstRow - streams], n);
                } else if (t > 0) {
                    for (int row = firstRow; row < firstRow + streams; row++) {
                        cblas_sgemv(CblasRowMajor, CblasTrans, n, n, 1f, rw, n, m.dRows[row], 1, 1f, m.dRows[row - streams], 1);
                    }
                }
            }
            // dRW^T = delta^T H_{t-1} over all steps; db = column sums of delta
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, n, rows, 1f, m.d, n, m.hRows[0], n, 0f,
                    m.recurrentGradient, n);
            for (int row = 0; row < rows; row++) {
                int at = (row + streams) * n;
                for (int j = 0; j < n; j++) {
                    gradient[r.b + j] += delta[at + j];
                }
            }
            if (oneHot) {
                for (int row = 0; row < rows; row++) {
                    int column = column(row);
                    if (column >= 0) {
                        int at = (row + streams) * n;
                        for (int j = 0; j < n; j++) {
                            gradient[r.w + column + j * r.nIn] += delta[at + j];
                        }
                    }
                }
            } else {
                FloatPointer x = l == 0 ? input : keep[l] != null ? dropped[l] : memory[l - 1].hRows[streams];
                cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, r.nIn, rows, 1f, m.d, n, x, r.nIn, 0f,
                        m.weightGradient, r.nIn);
                if (l > 0) {
                    // dL/dx = delta W^T, the layer below's dL/dh
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, r.nIn, n, 1f, m.d, n, r.weights,
                            r.nIn, 0f, memory[l - 1].d, r.nIn);
                    dropoutBack(l);
                }
            }
        }
    }

    // ---- Updater: divide by the minibatch, clip per layer, then the rule, as DL4J's updater orders them

    private void update(int iteration, int epoch) {
        float divisor = minibatch;
        for (Span s : spans) {
            float clip = s.clip();
            int from = s.param();
            int to = from + s.length();
            for (int i = from; i < to; i++) {
                gradient[i] = Math.max(-clip, Math.min(clip, minibatch > 1 ? gradient[i] / divisor : gradient[i]));
            }
            int shift = s.state() - from;
            // DL4J's WeightDecay after the updater: the update grows by c p (times the rate when applyLR), once per decay listed
            float decay = 0;
            for (WeightDecay d : s.decays()) {
                decay += (float) (d.getCoeff().valueAt(iteration, epoch)
                        * (d.isApplyLR() ? s.updater().getLearningRate(iteration, epoch) : 1));
            }
            if (decay != 0) {
                System.arraycopy(params, from, decayed, from, to - from);
            }
            if (s.updater() instanceof AdaGrad adaGrad) {
                adaGrad(from, to, shift, (float) adaGrad.getLearningRate(iteration, epoch), (float) adaGrad.getEpsilon());
            } else if (s.updater() instanceof Adam adam) {
                adam(from, to, shift, shift + s.blockLength(), adam, iteration, epoch);
            } else {
                RmsProp rmsProp = (RmsProp) s.updater();
                rmsProp(from, to, shift, (float) rmsProp.getLearningRate(iteration, epoch), (float) rmsProp.getRmsDecay(),
                        (float) rmsProp.getEpsilon());
            }
            if (decay != 0) {
                for (int i = from; i < to; i++) {
                    params[i] -= decay * decayed[i];
                }
            }
        }
    }

    /** The weight decays' share of DL4J's score, from the parameters before the update: sum of c/2 ||p||^2. */
    private double decayScore(int iteration, int epoch) {
        double score = 0;
        for (Span s : spans) {
            double coefficients = 0;
            for (WeightDecay d : s.decays()) {
                coefficients += d.getCoeff().valueAt(iteration, epoch);
            }
            if (coefficients != 0) {
                double squares = 0;
                for (int i = s.param(); i < s.param() + s.length(); i++) {
                    squares += (double) params[i] * params[i];
                }
                score += 0.5 * coefficients * squares;
            }
        }
        return score;
    }

    /** AdaGrad as ND4J's op computes it: h += g^2; p -= lr g / (sqrt(h) + eps). */
    private void adaGrad(int from, int to, int shift, float lr, float eps) {
        for (int i = from; i < to; i++) {
            float g = gradient[i];
            float h = state[i + shift] + g * g;
            state[i + shift] = h;
            params[i] -= lr * g / ((float) Math.sqrt(h) + eps);
        }
    }

    /**
     * Adam (Kingma and Ba 2015, algorithm 1, with the bias corrections folded into the step size) as
     * ND4J's op computes it: m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
     * p -= lr sqrt(1 - b2^t) / (1 - b1^t) m / (sqrt(v) + eps), with t the iteration count plus one.
     */
    private void adam(int from, int to, int mShift, int vShift, Adam adam, int iteration, int epoch) {
        float b1 = (float) adam.getBeta1();
        float b2 = (float) adam.getBeta2();
        float eps = (float) adam.getEpsilon();
        double t = iteration + 1.0;
        float step = (float) (adam.getLearningRate(iteration, epoch) * Math.sqrt(1 - Math.pow(adam.getBeta2(), t))
                / (1 - Math.pow(adam.getBeta1(), t)));
        for (int i = from; i < to; i++) {
            float g = gradient[i];
            float m = b1 * state[i + mShift] + (1 - b1) * g;
            float v = b2 * state[i + vShift] + (1 - b2) * g * g;
            state[i + mShift] = m;
            state[i + vShift] = v;
            params[i] -= step * m / ((float) Math.sqrt(v) + eps);
        }
    }

    /** RMSProp as ND4J's op computes it: s = d s + (1 - d) g^2; p -= lr g / (sqrt(s) + eps). */
    private void rmsProp(int from, int to, int shift, float lr, float decay, float eps) {
        for (int i = from; i < to; i++) {
            float g = gradient[i];
            float r = decay * state[i + shift] + (1 - decay) * g * g;
            state[i + shift] = r;
            params[i] -= lr * g / ((float) Math.sqrt(r) + eps);
        }
    }
}
