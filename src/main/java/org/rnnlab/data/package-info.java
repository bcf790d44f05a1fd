/**
 * Data: each task's seeded generator, the CSV files it writes and the DataVec readers that read
 * them back, char-rnn's text corpus and vocabulary, atomic file writes and the one JSON mapper.
 */
package org.rnnlab.data;
