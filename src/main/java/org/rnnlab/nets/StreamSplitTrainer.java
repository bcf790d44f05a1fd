package org.rnnlab.nets;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.layers.RecurrentLayer;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.StepFunction;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.optimize.solvers.BaseOptimizer;
import org.deeplearning4j.optimize.stepfunctions.NegativeDefaultStepFunction;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;
import org.rnnlab.layers.InputGradientOptional;
import org.rnnlab.layers.JavaTrainingStep;
import org.rnnlab.layers.PartThreads;

/**
 * {@link CarriedStateTrainer}'s update computed on several threads: the minibatch's streams are cut
 * into contiguous parts, one per thread, and each part's forward and backward pass runs on a network
 * of its own that shares the main network's parameter array. The parts' gradients are summed into
 * the main network's gradient, and one step follows as DL4J's StochasticGradientDescent makes it:
 * the main network's own updater (division by the whole minibatch, gradient clipping, AdaGrad's
 * history, the state ModelSerializer saves), the parameter step, the listeners and the iteration
 * count. The result is the one-network step over all streams, up to the order of float sums.
 * The main network's listeners hear onBackwardPass, onGradientCalculation and iterationDone as
 * under CarriedStateTrainer, but not onForwardPass: no one list of activations exists.
 *
 * <p>Each part keeps the carried state of its own streams, so the streams must come in the same
 * order from chunk to chunk (as {@link org.rnnlab.data.CharChunks} gives them). With one thread, or
 * a minibatch of one stream, it is {@link CarriedStateTrainer}.
 *
 * <p>Chunks that {@link JavaTrainingStep} takes (char-rnn's configuration, minibatches up to
 * {@link JavaTrainingStep#MAX_MINIBATCH}, no listeners) take that step on the same
 * threads instead, one part of the streams per thread, the parts' gradients summed in part order.
 * The carried state moves between the two ways when a step changes way (when listeners are added,
 * for example).
 *
 * <p>Part 0 runs on the calling thread; the others each on a daemon thread of their own, always
 * the same one, so DL4J's workspaces (kept per thread) and the layers' buffers stay with their part.
 * Call {@link #close} to end the threads. Not for use from several threads at once.
 */
public final class StreamSplitTrainer implements ChunkTrainer {
    private final MultiLayerNetwork network;
    private final int threads;
    private final CarriedStateTrainer single;
    private final PartThreads pool;
    /** The Java step over the same threads; null with one thread or a configuration it does not handle. */
    private final JavaTrainingStep javaStep;
    /** Whether the carried state lies in the main network (the Java step's) rather than in the parts. */
    private boolean stateInMain = true;
    private boolean lastStepJava;
    /** The regularization share of the last step's score. */
    private double regularization;
    /** Part k's network (part k runs on the pool's thread k, part 0 on the caller); made on the first DL4J-way step with more than one part. */
    private Part[] parts;
    /** The main network's gradient, keyed as DL4J's MultiLayerNetwork keys it, over its flattened gradient. */
    private Gradient gradient;
    private final StepFunction stepFunction = new NegativeDefaultStepFunction();
    /** The stream count the parts were cut for; 0 before the first step and after a reset. */
    private int streams;
    private boolean closed;

    /**
     * @param network configured with {@code BackpropType.TruncatedBPTT} and initialised
     * @param threads how many parts the streams are cut into, at most one per stream
     */
    public StreamSplitTrainer(MultiLayerNetwork network, int threads) {
        this(network, threads, true);
    }

    /** A trainer whose parts always take DL4J's pass and whose one thread takes DL4J's Solver, for comparisons. */
    public static StreamSplitTrainer withDl4jStep(MultiLayerNetwork network, int threads) {
        return new StreamSplitTrainer(network, threads, false);
    }

    private StreamSplitTrainer(MultiLayerNetwork network, int threads, boolean javaStepAllowed) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        // checks the configuration
        this.single = javaStepAllowed ? new CarriedStateTrainer(network) : CarriedStateTrainer.withDl4jStep(network);
        this.network = network;
        this.threads = threads;
        this.pool = new PartThreads(threads, "rnnlab-stream-part-");
        this.javaStep = javaStepAllowed && threads > 1 ? JavaTrainingStep.of(network, pool) : null;
    }

    /** The number of threads the streams are shared among (the constructor's argument). */
    public int threads() {
        return threads;
    }

    /**
     * One update on a chunk, each part starting from the state its streams' previous chunk left.
     *
     * @param features [streams, nIn, steps]
     * @param labels   [streams, nOut, steps]
     * @return the chunk's score: the loss summed over its steps, averaged over the streams
     */
    public double step(INDArray features, INDArray labels) {
        if (closed) {
            throw new IllegalStateException("the trainer is closed");
        }
        if (threads == 1) {
            double score = single.step(features, labels);
            lastStepJava = single.lastStepWasJava();
            regularization = single.lastRegularizationScore();
            return score;
        }
        int count = (int) features.size(0);
        if (Math.min(threads, count) == 1 && (streams == 0 || streams == count)) {
            streams = count;
            double score = single.step(features, labels);
            lastStepJava = single.lastStepWasJava();
            regularization = single.lastRegularizationScore();
            return score;
        }
        if (javaStep != null && javaStep.accepts(features, labels)) {
            checkStreams(count);
            if (!stateInMain) {
                statesToMain();
            }
            double score = javaStep.step(features, labels);
            streams = count;
            lastStepJava = true;
            regularization = javaStep.regularizationScore();
            return score;
        }
        lastStepJava = false;
        double score = computeGradient(features, labels);
        regularization = network.calcRegularizationScore(true); // what the parts' scores added, before the update
        network.setInput(features);
        network.setLabels(labels);
        network.setGradient(gradient);
        network.setScore(score);
        update(count);
        return score;
    }

    @Override
    public double lastRegularizationScore() {
        return regularization;
    }

    /**
     * The parts' passes and their gradients summed into the main network's gradient; returns the
     * streams' mean score. The parameters are not changed.
     */
    double computeGradient(INDArray features, INDArray labels) {
        int count = (int) features.size(0);
        checkStreams(count);
        streams = count;
        int partCount = Math.min(threads, count);
        if (parts == null || parts.length != partCount) {
            parts = makeParts(partCount);
        }
        if (parts[0].network.params() != network.params()) {
            throw new IllegalStateException("the network's parameter array was replaced; make a new trainer");
        }
        int[] from = PartThreads.split(count, parts.length);
        if (stateInMain) {
            statesToParts(from);
        }

        // Forward and backward passes, part 0 on this thread; every part finishes before this returns
        // or throws: none may still be using the chunk or the parameters when the caller goes on.
        pool.run(parts.length, k -> parts[k].compute(features, labels, from[k], from[k + 1]));

        // The summed gradient and the streams' mean score, as the one network would hold them
        INDArray summed = gradient.gradient();
        summed.assign(parts[0].network.getFlattenedGradients().reshape(summed.shape()));
        double score = parts[0].network.score() * (from[1] - from[0]);
        for (int k = 1; k < parts.length; k++) {
            summed.addi(parts[k].network.getFlattenedGradients().reshape(summed.shape()));
            score += parts[k].network.score() * (from[k + 1] - from[k]);
        }
        return score / count;
    }

    /**
     * What StochasticGradientDescent.optimize does after computeGradientAndScore: listeners told
     * of the gradient, the updater (it divides by the minibatch, clips, applies AdaGrad), the step,
     * the listeners' iterationDone, the iteration count, the constraints.
     */
    private void update(int minibatch) {
        Iterable<TrainingListener> listeners = network.getListeners();
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            for (TrainingListener listener : listeners) {
                listener.onBackwardPass(network);
            }
            for (TrainingListener listener : listeners) {
                listener.onGradientCalculation(network);
            }
        }
        int iteration = BaseOptimizer.getIterationCount(network);
        int epoch = BaseOptimizer.getEpochCount(network);
        network.getUpdater().update(network, gradient, iteration, epoch, minibatch, LayerWorkspaceMgr.noWorkspaces());
        stepFunction.step(network.params(), gradient.gradient());
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            for (TrainingListener listener : listeners) {
                listener.iterationDone(network, iteration, epoch);
            }
        }
        BaseOptimizer.incrementIterationCount(network, 1);
        BaseOptimizer.applyConstraints(network);
    }

    private void checkStreams(int count) {
        if (streams != 0 && count != streams) {
            throw new IllegalStateException("the chunk has " + count + " streams, the carried state " + streams
                    + "; call resetState() when the number of streams changes");
        }
    }

    /** The main network's stored states, cut into the parts' streams, as the parts' stored states. */
    private void statesToParts(int[] from) {
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            for (int l = 0; l < network.getnLayers(); l++) {
                if (!(network.getLayer(l) instanceof RecurrentLayer layer)) {
                    continue;
                }
                Map<String, INDArray> stored = layer.rnnGetTBPTTState();
                for (int k = 0; k < parts.length; k++) {
                    Map<String, INDArray> slice = new HashMap<>();
                    if (stored != null) {
                        for (Map.Entry<String, INDArray> e : stored.entrySet()) {
                            slice.put(e.getKey(), e.getValue().get(interval(from[k], from[k + 1]), all()).dup());
                        }
                    }
                    RecurrentLayer partLayer = (RecurrentLayer) parts[k].network.getLayer(l);
                    partLayer.rnnSetTBPTTState(slice);
                    partLayer.rnnSetPreviousState(new HashMap<>(slice));
                }
            }
        }
        stateInMain = false;
    }

    /** The parts' stored states, their streams in order, as the main network's stored states. */
    private void statesToMain() {
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            for (int l = 0; l < network.getnLayers(); l++) {
                if (!(network.getLayer(l) instanceof RecurrentLayer layer)) {
                    continue;
                }
                Map<String, INDArray> first = ((RecurrentLayer) parts[0].network.getLayer(l)).rnnGetTBPTTState();
                Map<String, INDArray> merged = new HashMap<>();
                if (first != null) {
                    for (String key : first.keySet()) {
                        INDArray[] pieces = new INDArray[parts.length];
                        for (int k = 0; k < parts.length; k++) {
                            pieces[k] = ((RecurrentLayer) parts[k].network.getLayer(l)).rnnGetTBPTTState().get(key);
                        }
                        merged.put(key, Nd4j.concat(0, pieces));
                    }
                }
                layer.rnnSetTBPTTState(merged);
                layer.rnnSetPreviousState(new HashMap<>(merged));
            }
        }
        stateInMain = true;
    }

    /** Whether the last {@link #step} took the Java step (on one thread or several) rather than DL4J's pass. */
    public boolean lastStepWasJava() {
        return lastStepJava;
    }

    /** Back to a zero state for every stream, for example at the end of a pass through the text. */
    public void resetState() {
        single.resetState();
        if (parts != null) {
            for (Part part : parts) {
                part.network.rnnClearPreviousState();
            }
        }
        streams = 0;
        stateInMain = true;
    }

    /** Ends the threads (waiting for them) and frees their workspaces; the trainer takes no more steps. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (javaStep != null) {
            javaStep.close();
        }
        pool.close(() -> Nd4j.getWorkspaceManager().destroyAllWorkspacesForCurrentThread());
    }

    /** The network of part k, for tests. */
    MultiLayerNetwork part(int k) {
        return parts == null ? null : parts[k].network;
    }

    /** The summed gradient over the main network's flattened gradient, for tests. */
    INDArray summedGradient() {
        return gradient.gradient();
    }

    private Part[] makeParts(int count) {
        // The updater first: it makes the main network's flattened gradient if there is none yet
        network.getUpdater();
        INDArray flattened = network.getFlattenedGradients();
        gradient = new FlattenedGradient(flattened);
        Layer[] layers = network.getLayers();
        for (int i = 0; i < layers.length; i++) {
            Map<String, INDArray> views = layers[i].conf().getLayer().initializer()
                    .getGradientsFromFlattened(layers[i].conf(), layers[i].getGradientsViewArray());
            for (Map.Entry<String, INDArray> view : views.entrySet()) {
                gradient.setGradientFor(i + "_" + view.getKey(), view.getValue());
            }
        }
        Part[] made = new Part[count];
        for (int k = 0; k < made.length; k++) {
            made[k] = new Part(network);
        }
        return made;
    }

    /**
     * A gradient whose {@link #gradient()} is the network's flattened gradient array itself.
     * DefaultGradient returns a new reshaped view on every call, which BaseMultiLayerUpdater takes
     * for an external gradient and slices up again on every step; given its own array it uses the
     * views it made once. The arithmetic is the same.
     */
    private static final class FlattenedGradient extends DefaultGradient {
        private final INDArray flattened;

        FlattenedGradient(INDArray flattened) {
            super(flattened);
            this.flattened = flattened;
        }

        @Override
        public INDArray gradient() {
            return flattened;
        }
    }

    /** One part's network over the shared parameters, with its own layers, gradient and carried state. */
    private static final class Part {
        final MultiLayerNetwork network;
        /** The part's streams copied out, time-major [steps, streams, n] as the fast layers read them. */
        private INDArray features;
        private INDArray labels;
        private float[] block = new float[0];

        Part(MultiLayerNetwork main) {
            network = new MultiLayerNetwork(main.getLayerWiseConfigurations().clone());
            network.init(main.params(), false); // the layers' parameters are views of the main array
            network.initGradientsView();
            if (network.getLayer(0) instanceof InputGradientOptional first) {
                first.setInputGradientNeeded(false); // DL4J discards the first layer's input gradient
            }
        }

        /** Gradient and score of streams [first, end), from the state the part's last chunk left. */
        void compute(INDArray allFeatures, INDArray allLabels, int first, int end) {
            features = timeMajorCopy(allFeatures, first, end, features);
            labels = timeMajorCopy(allLabels, first, end, labels);
            network.setInput(features.permute(1, 2, 0));
            network.setLabels(labels.permute(1, 2, 0));
            network.setLayerMaskArrays(null, null);
            network.computeGradientAndScore();
            network.updateRnnStateWithTBPTTState();
        }

        /** Streams [first, end) of [streams, n, steps] into a time-major [steps, end - first, n], reused when it fits. */
        private INDArray timeMajorCopy(INDArray all, int first, int end, INDArray into) {
            INDArray source = all.get(interval(first, end), all(), all()).permute(2, 0, 1);
            if (into == null || into.dataType() != all.dataType() || !Arrays.equals(into.shape(), source.shape())) {
                try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                    into = Nd4j.createUninitialized(all.dataType(), source.shape(), 'c');
                }
            }
            INDArray timeMajor = all.permute(2, 0, 1);
            if (timeMajor.dataType() == DataType.FLOAT && timeMajor.offset() == 0
                    && Shape.hasDefaultStridesForShape(timeMajor)) {
                // CharChunks's layout: at each step the part's streams are one run of values, so a
                // few bulk copies do what a strided ND4J assign takes several times longer for
                int run = (end - first) * (int) all.size(1);
                int stepSize = (int) (all.size(0) * all.size(1));
                if (block.length < run) {
                    block = new float[run];
                }
                FloatBuffer from = all.data().asNioFloat();
                FloatBuffer to = into.data().asNioFloat();
                for (int t = 0; t < (int) all.size(2); t++) {
                    from.get(t * stepSize + first * (int) all.size(1), block, 0, run);
                    to.put(t * run, block, 0, run);
                }
                return into;
            }
            return into.assign(source);
        }
    }
}
