/**
 * The harness behind {@code rnnlab bench}: repeated measurements with their spread, start-up and
 * memory in child JVMs, char-rnn's throughput, its recipes' held-out milestones, and each task's
 * time to its floor.
 */
package org.rnnlab.bench;
