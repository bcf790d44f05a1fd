package org.rnnlab.nets;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.api.Layer;
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
import org.rnnlab.layers.FastSimpleRnnLayer;

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
 * <p>Part 0 runs on the calling thread; the others each on a daemon thread of their own, always
 * the same one, so DL4J's workspaces (kept per thread) and the layers' buffers stay with their part.
 * Call {@link #close} to end the threads. Not for use from several threads at once.
 */
public final class StreamSplitTrainer implements ChunkTrainer {
    private final MultiLayerNetwork network;
    private final int threads;
    private final CarriedStateTrainer single;
    private final ExecutorService[] executors;
    /** Part k's network (k >= 1 runs on executors[k - 1]); made on the first step with more than one part. */
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
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        this.single = new CarriedStateTrainer(network); // checks the configuration
        this.network = network;
        this.threads = threads;
        this.executors = new ExecutorService[threads - 1];
        for (int i = 0; i < executors.length; i++) {
            String name = "rnnlab-stream-part-" + (i + 1);
            executors[i] = Executors.newSingleThreadExecutor(task -> {
                Thread thread = new Thread(task, name);
                thread.setDaemon(true);
                return thread;
            });
        }
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
            return single.step(features, labels);
        }
        int count = (int) features.size(0);
        if (Math.min(threads, count) == 1 && (streams == 0 || streams == count)) {
            streams = count;
            return single.step(features, labels);
        }
        double score = computeGradient(features, labels);
        network.setInput(features);
        network.setLabels(labels);
        network.setGradient(gradient);
        network.setScore(score);
        update(count);
        return score;
    }

    /**
     * The parts' passes and their gradients summed into the main network's gradient; returns the
     * streams' mean score. The parameters are not changed.
     */
    double computeGradient(INDArray features, INDArray labels) {
        int count = (int) features.size(0);
        if (streams != 0 && count != streams) {
            throw new IllegalStateException("the chunk has " + count + " streams, the carried state " + streams
                    + "; call resetState() when the number of streams changes");
        }
        streams = count;
        int partCount = Math.min(threads, count);
        if (parts == null || parts.length != partCount) {
            parts = makeParts(partCount);
        }
        if (parts[0].network.params() != network.params()) {
            throw new IllegalStateException("the network's parameter array was replaced; make a new trainer");
        }
        int[] from = split(count, parts.length);

        // Forward and backward passes, part 0 on this thread
        List<Future<?>> pending = new ArrayList<>(parts.length - 1);
        for (int k = 1; k < parts.length; k++) {
            Part part = parts[k];
            int first = from[k];
            int end = from[k + 1];
            pending.add(executors[k - 1].submit(() -> part.compute(features, labels, first, end)));
        }
        Throwable failure = null;
        try {
            parts[0].compute(features, labels, from[0], from[1]);
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        // Every part finishes before this returns or throws, interrupted or not: none may still be
        // using the chunk or the parameters when the caller goes on.
        boolean interrupted = false;
        for (Future<?> future : pending) {
            while (true) {
                try {
                    future.get();
                    break;
                } catch (ExecutionException e) {
                    failure = failure == null ? e.getCause() : failure;
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure instanceof RuntimeException e) {
            throw e;
        } else if (failure instanceof Error e) {
            throw e;
        } else if (failure != null) {
            throw new IllegalStateException("a part's pass failed", failure);
        }

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

    /** Back to a zero state for every stream, for example at the end of a pass through the text. */
    public void resetState() {
        single.resetState();
        if (parts != null) {
            for (Part part : parts) {
                part.network.rnnClearPreviousState();
            }
        }
        streams = 0;
    }

    /** Ends the threads (waiting for them) and frees their workspaces; the trainer takes no more steps. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (ExecutorService executor : executors) {
            executor.execute(() -> Nd4j.getWorkspaceManager().destroyAllWorkspacesForCurrentThread());
            executor.shutdown();
        }
        boolean interrupted = false;
        for (ExecutorService executor : executors) {
            try {
                executor.awaitTermination(1, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The network of part k, for tests. */
    MultiLayerNetwork part(int k) {
        return parts == null ? null : parts[k].network;
    }

    /** The summed gradient over the main network's flattened gradient, for tests. */
    INDArray summedGradient() {
        return gradient.gradient();
    }

    /** Where each part's streams begin: part k has streams [from[k], from[k + 1]), the first parts one more. */
    static int[] split(int streams, int parts) {
        int[] from = new int[parts + 1];
        for (int k = 0; k < parts; k++) {
            from[k + 1] = from[k] + streams / parts + (k < streams % parts ? 1 : 0);
        }
        return from;
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
            if (network.getLayer(0) instanceof FastSimpleRnnLayer first) {
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
