/**
 * The hand-written reference RNN in plain double-precision Java, its losses and activations, its
 * mapping to DL4J networks, finite differences, and the three-way gradient checks (reference,
 * DL4J, finite differences) every task's network goes through.
 */
package org.rnnlab.reference;
