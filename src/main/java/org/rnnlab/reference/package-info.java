/**
 * The hand-written reference RNN in plain double-precision Java, its losses and activations, its
 * mapping to DL4J networks, finite differences, and the three-way gradient checks (reference,
 * DL4J, finite differences) every task's network goes through; and {@link
 * org.rnnlab.reference.KerasReference}, Keras's own equations forward and backward, which imported
 * Keras models are checked against.
 */
package org.rnnlab.reference;
