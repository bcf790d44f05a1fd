package org.rnnlab.tasks;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.rnnlab.reference.GradientCheck;

/**
 * A task's network as gradient checks see it: the configuration its default options build, the
 * sequence length of its data, and how its labels sit in time.
 *
 * @param configuration the network configuration (the check rebuilds it in DOUBLE with a NoOp updater)
 * @param steps         time steps of the task's sequences
 * @param labels        every step, the last step by a label mask, or variable lengths
 */
public record NetworkUnderCheck(MultiLayerConfiguration configuration, int steps, GradientCheck.Labels labels) {
}
