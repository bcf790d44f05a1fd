/**
 * The tutorials as tasks: one class per seed tutorial, each reading top to bottom (data, network,
 * training, evaluation, demo, and a {@code main}), and the machinery they share: {@code Task},
 * {@code TaskRegistry}, {@code TaskRunner} (one run: the data read once, trained, evaluated, saved),
 * {@code TrainCommandLine} (options records as command-line options, for {@code rnnlab train} and
 * every task's {@code main}), {@code EpochTraining} (the options the epoch-trained tasks share).
 */
package org.rnnlab.tasks;
