package org.rnnlab.layers;

import java.nio.FloatBuffer;
import java.util.function.Supplier;
import org.nd4j.common.base.Preconditions;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What a fast recurrent layer ({@link FastSimpleRnnLayer}, {@link FastLstmLayer}, {@link FastGruLayer})
 * keeps from one pass to the next: its working buffers by shape and those of the last forward pass,
 * whether that pass's input was one-hot (and its columns), the training input whose forward pass the
 * buffers hold for the backward pass to reuse, and whether backprop computes dL/dx. The layers extend
 * different DL4J classes, so each holds one of these rather than sharing a parent.
 *
 * @param <B> the layer's working memory for one (minibatch, steps) shape
 */
final class FastPathState<B extends FastPathState.StepBuffers> {

    /** The parts of a layer's working memory this class reads. */
    interface StepBuffers {
        int minibatch();

        int steps();

        /** The views of h_0 (the initial state) .. h_T, one block of minibatch rows each. */
        INDArray[] hSteps();
    }

    private final ShapeCache<B> buffersByShape = new ShapeCache<>();
    /** The buffers of the last forward pass. */
    private B buffers;
    private final OneHotRows oneHot = new OneHotRows();
    /** Whether the last forward pass's input was one-hot, so that {@link #oneHot} holds its columns. */
    private boolean oneHotInput;
    private boolean inputGradientNeeded = true;
    /** The input whose training forward pass the buffers hold; null when they hold none. */
    private INDArray forwardInput;

    /** The buffers for (minibatch, steps), made by {@code allocate} if they are not kept; from now on the last pass's. */
    B buffers(int minibatch, int steps, Supplier<B> allocate) {
        buffers = buffersByShape.get(minibatch, steps, allocate);
        return buffers;
    }

    /** The buffers of the last forward pass. */
    B buffers() {
        return buffers;
    }

    /**
     * out = x W + b for the time-major input rows x of all steps at once: row look-ups when x is
     * one-hot and out's float memory {@code outFloats} is given (null: not float), else a product.
     * Look-ups pay a fixed cost of about one pass over W, so a few rows (sampling, one character at a
     * time) are quicker as a product.
     */
    void project(INDArray x, INDArray w, INDArray b, INDArray out, FloatBuffer outFloats, int width) {
        oneHotInput = outFloats != null && x.size(0) >= x.size(1) && oneHot.read(x);
        if (oneHotInput) {
            oneHot.project(w, b, outFloats, width); // rows of W picked by the input's 1s
        } else {
            Gemm.multiply(x, false, w, false, out, 1.0, 0.0);
            out.addiRowVector(b);
        }
    }

    /** The columns of the last forward pass's input when it was one-hot, for its gradients; else null. */
    OneHotRows oneHotInput() {
        return oneHotInput ? oneHot : null;
    }

    /** Ends a forward pass over {@code input}: a training pass stays held for the backward pass. */
    void forwardDone(INDArray input, boolean training) {
        forwardInput = training ? input : null;
    }

    /** Whether the buffers hold the training forward pass over {@code input}. */
    boolean holds(INDArray input) {
        return forwardInput != null && forwardInput == input;
    }

    /**
     * The buffers hold no forward pass to reuse from now on: a backward pass has used it, the
     * parent's code has run instead, or the layer has been cleared.
     */
    void forget() {
        forwardInput = null;
    }

    /** h_T of the last forward pass, as an array outside DL4J's workspaces. */
    INDArray lastH() {
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            return buffers.hSteps()[buffers.steps()].dup();
        }
    }

    boolean inputGradientNeeded() {
        return inputGradientNeeded;
    }

    void setInputGradientNeeded(boolean needed) {
        inputGradientNeeded = needed;
    }

    /** A stored state (null: none, zeros) must be for the input's minibatch size. */
    static void checkStoredState(INDArray state, int minibatch) {
        if (state != null) {
            Preconditions.checkState(state.size(0) == minibatch, "stored state is for a minibatch of %s, input has %s;"
                    + " clear the state (rnnClearPreviousState) when the minibatch size changes", state.size(0),
                    minibatch);
        }
    }
}
