package org.rnnlab.reference;

/**
 * How per-step losses add up to the score that gradients are taken of.
 *
 * @param divideByMinibatch  DL4J divides the sum over examples and time steps by the minibatch size
 * @param mseDividesByOutputs DL4J's LossMSE is the squared error summed over outputs divided by nOut
 * @param mseFactor          a constant in front of the squared error: seeds 001 and 002 use 1/2
 */
public record Convention(boolean divideByMinibatch, boolean mseDividesByOutputs, double mseFactor) {

    /** DL4J: score = (1/minibatch) sum_{n,t} mask * loss, and MSE = sum_k (o - y)^2 / nOut. */
    public static final Convention DL4J = new Convention(true, true, 1.0);

    /**
     * Seed 002: the binary adder's delta {@code (y - o) * o(1 - o)} is the derivative of
     * 1/2 (y - o)^2, summed over the 8 steps; the char-rnn's loss is the cross-entropy summed over
     * the 25 steps of a chunk.
     */
    public static final Convention SEED_002 = new Convention(false, false, 0.5);

    double mseScale(int outputs) {
        return mseFactor * (mseDividesByOutputs ? 1.0 / outputs : 1.0);
    }
}
