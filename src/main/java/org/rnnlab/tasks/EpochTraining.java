package org.rnnlab.tasks;

import org.rnnlab.layers.LayerImplementation;

/**
 * The options every task trained by epochs shares, declared and described once: the first
 * component of those tasks' options records. On the command line its components are options of
 * their own ({@code --epochs}, {@code --seed}, ...), named as Keras and PyTorch users know them.
 *
 * @param implementation null gives FAST
 */
public record EpochTraining(
        @Doc("passes over the training data") int epochs,
        @Doc("seed of everything random: the generated data, the initial weights, the shuffling") long seed,
        @Doc("Adam's learning rate at the start; it falls to a tenth by the last epoch") double learningRate,
        @Doc("sequences per minibatch") int batchSize,
        @Doc(LayerImplementation.DESCRIPTION) LayerImplementation implementation) {

    public EpochTraining {
        implementation = implementation == null ? LayerImplementation.FAST : implementation;
        OptionCheck.inRange("--epochs", epochs, 1, 100_000);
        OptionCheck.inRange("--learning-rate", learningRate, 0, 10);
        OptionCheck.inRange("--batch-size", batchSize, 1, 1_000_000);
    }

    /** The same with another number of epochs ({@code all --quick} runs a few). */
    public EpochTraining withEpochs(int count) {
        return new EpochTraining(count, seed, learningRate, batchSize, implementation);
    }
}
