/**
 * Step-by-step inference (sampling, fed-back generation, one prediction, char-rnn's held-out
 * scoring while it trains) on a trained network's weights copied into plain Java arrays, so that
 * a step costs its arithmetic and not ND4J's set-up of a dozen small operations; results agree
 * with DL4J's {@code rnnTimeStep}. {@link org.rnnlab.inference.Sampling} chooses the next
 * character: by temperature, among the top k, or greedily.
 */
package org.rnnlab.inference;
