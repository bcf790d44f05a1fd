/**
 * Step-by-step inference (sampling, fed-back generation, one prediction) on a trained network's
 * weights copied into plain Java arrays, so that a step costs its arithmetic and not ND4J's set-up
 * of a dozen small operations; results agree with DL4J's {@code rnnTimeStep}.
 */
package org.rnnlab.inference;
