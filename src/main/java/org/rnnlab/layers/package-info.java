/**
 * rnnlab's own DL4J layers (SimpleRnn and RnnOutputLayer computed time-major, same parameters and
 * zip as DL4J's), a GRU layer DL4J lacks ({@link org.rnnlab.layers.Gru}, Keras's equations in both
 * reset_after variants), char-rnn's Java training step with its threads and dropout masks, and
 * ND4J's per-op thread count; docs/fast-layers.md explains them and benchmarks.md measures them.
 */
package org.rnnlab.layers;
