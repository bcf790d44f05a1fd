package org.rnnlab.nets;

import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.Solver;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.rnnlab.layers.InputGradientOptional;
import org.rnnlab.layers.JavaTrainingStep;

/**
 * Truncated backpropagation through time whose hidden state carries on from one chunk to the
 * next, as seed 002's {@code hprev} does. DL4J's own {@code fit} with truncated BPTT clears the
 * state at the start and end of every call, so a stream of chunks fed one call at a time would
 * restart from zero each time. This does what DL4J's fit does for each chunk (one optimizer step on
 * the chunk, then the chunk's last state becomes the stored state) without the clearing.
 *
 * <p>Minibatches up to {@link JavaTrainingStep#MAX_MINIBATCH} of a configuration {@link JavaTrainingStep}
 * handles (char-rnn's) take that step instead: the same update, computed without DL4J's per-op
 * costs, which at a minibatch of one are most of an iteration. Everything else, and any chunk while
 * listeners are attached (rnnlab's --ui), takes
 * DL4J's Solver. Both read and write the network's own parameters, updater state and stored states,
 * so they can alternate.
 */
public final class CarriedStateTrainer implements ChunkTrainer {
    private final MultiLayerNetwork network;
    private final Solver solver;
    private final JavaTrainingStep javaStep;
    private boolean lastStepJava;

    /** @param network configured with {@code BackpropType.TruncatedBPTT} and initialised */
    public CarriedStateTrainer(MultiLayerNetwork network) {
        this(network, true);
    }

    /** A trainer that always takes DL4J's Solver, for comparisons. */
    public static CarriedStateTrainer withDl4jStep(MultiLayerNetwork network) {
        return new CarriedStateTrainer(network, false);
    }

    private CarriedStateTrainer(MultiLayerNetwork network, boolean javaStepAllowed) {
        if (network.getLayerWiseConfigurations().getBackpropType() != BackpropType.TruncatedBPTT) {
            throw new IllegalArgumentException("the network must be configured for truncated BPTT");
        }
        this.network = network;
        this.solver = new Solver.Builder().configure(network.conf()).listeners(network.getListeners())
                .model(network).build();
        // The network's own updater, not a fresh one: it holds the state a loaded zip restored
        // (Adagrad's history), and it is the one ModelSerializer saves.
        solver.getOptimizer().setUpdater(network.getUpdater());
        javaStep = javaStepAllowed ? JavaTrainingStep.of(network) : null;
    }

    /**
     * One update on a chunk, starting from the state the previous chunk left.
     *
     * @param features [streams, nIn, steps]
     * @param labels   [streams, nOut, steps]
     * @return the chunk's score: the loss summed over its steps, averaged over the streams
     */
    @Override
    public double step(INDArray features, INDArray labels) {
        lastStepJava = javaStep != null && javaStep.accepts(features, labels);
        if (lastStepJava) {
            return javaStep.step(features, labels);
        }
        network.setInput(features);
        network.setLabels(labels);
        network.setLayerMaskArrays(null, null);
        // DL4J discards the first layer's input gradient in training; the fast layer can skip it
        InputGradientOptional first = network.getLayer(0) instanceof InputGradientOptional layer ? layer : null;
        if (first != null) {
            first.setInputGradientNeeded(false);
        }
        try {
            solver.optimize(LayerWorkspaceMgr.noWorkspaces());
        } finally {
            if (first != null) {
                first.setInputGradientNeeded(true);
            }
        }
        network.updateRnnStateWithTBPTTState();
        return network.score();
    }

    @Override
    public double lastRegularizationScore() {
        // the Java step keeps the term it added; DL4J's is recomputed (after the update: the DL4J path is the slow one anyway)
        return lastStepJava ? javaStep.regularizationScore() : network.calcRegularizationScore(true);
    }

    /** Whether the last {@link #step} took the Java step rather than DL4J's Solver. */
    public boolean lastStepWasJava() {
        return lastStepJava;
    }

    /** Back to a zero state, for example at the end of a pass through the text. */
    @Override
    public void resetState() {
        network.rnnClearPreviousState();
    }

    /** Nothing to end: the step runs on the caller's thread. */
    @Override
    public void close() {
    }
}
