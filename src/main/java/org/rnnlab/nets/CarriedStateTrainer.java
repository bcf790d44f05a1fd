package org.rnnlab.nets;

import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.Solver;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.rnnlab.layers.FastSimpleRnnLayer;

/**
 * Truncated backpropagation through time whose hidden state carries on from one chunk to the
 * next, as seed 002's {@code hprev} does. DL4J's own {@code fit} with truncated BPTT clears the
 * state at the start and end of every call, so a stream of chunks fed one call at a time would
 * restart from zero each time. This does what DL4J's fit does for each chunk (one optimizer step on
 * the chunk, then the chunk's last state becomes the stored state) without the clearing.
 */
public final class CarriedStateTrainer {
    private final MultiLayerNetwork network;
    private final Solver solver;

    /** @param network configured with {@code BackpropType.TruncatedBPTT} and initialised */
    public CarriedStateTrainer(MultiLayerNetwork network) {
        if (network.getLayerWiseConfigurations().getBackpropType() != BackpropType.TruncatedBPTT) {
            throw new IllegalArgumentException("the network must be configured for truncated BPTT");
        }
        this.network = network;
        this.solver = new Solver.Builder().configure(network.conf()).listeners(network.getListeners())
                .model(network).build();
        // The network's own updater, not a fresh one: it holds the state a loaded zip restored
        // (Adagrad's history), and it is the one ModelSerializer saves.
        solver.getOptimizer().setUpdater(network.getUpdater());
    }

    /**
     * One update on a chunk, starting from the state the previous chunk left.
     *
     * @param features [streams, nIn, steps]
     * @param labels   [streams, nOut, steps]
     * @return the chunk's score: the loss summed over its steps, averaged over the streams
     */
    public double step(INDArray features, INDArray labels) {
        network.setInput(features);
        network.setLabels(labels);
        network.setLayerMaskArrays(null, null);
        // DL4J discards the first layer's input gradient in training; the fast layer can skip it
        FastSimpleRnnLayer first = network.getLayer(0) instanceof FastSimpleRnnLayer layer ? layer : null;
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

    /** Back to a zero state, for example at the end of a pass through the text. */
    public void resetState() {
        network.rnnClearPreviousState();
    }
}
