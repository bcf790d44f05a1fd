package org.rnnlab.layers;

/**
 * A layer that can skip dL/dx, the gradient with respect to its input, where the caller discards
 * it: DL4J's training throws a first layer's away, and for char-rnn it is a product over all steps
 * each iteration. Without it backprop returns null in its place, which DL4J accepts for a first layer.
 */
public interface InputGradientOptional {
    /** Whether backprop computes dL/dx (true unless set). */
    void setInputGradientNeeded(boolean needed);
}
