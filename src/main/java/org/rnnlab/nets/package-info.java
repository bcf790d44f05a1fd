/**
 * Networks around training: the zip store, the epoch loop, char-rnn's carried-state trainers (one
 * thread or several), optimizers, in-place learning-rate changes and the held-out watch (best
 * model, plateaus, early stopping).
 */
package org.rnnlab.nets;
