package org.rnnlab.tasks;

import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.nd4j.linalg.activations.Activation;
import org.rnnlab.layers.Cell;
import org.rnnlab.layers.LayerImplementation;

/**
 * The options every task trained by epochs shares, declared and described once: the first
 * component of those tasks' options records. On the command line its components are options of
 * their own ({@code --epochs}, {@code --seed}, ...), named as Keras and PyTorch users know them.
 *
 * @param implementation null gives FAST
 * @param cell           null gives SIMPLE, the tutorials' cell (zips saved before the choice hold none)
 */
public record EpochTraining(
        @Doc("passes over the training data") int epochs,
        @Doc("seed of everything random: the generated data, the initial weights, the shuffling") long seed,
        @Doc("Adam's learning rate at the start; it falls to a tenth by the last epoch") double learningRate,
        @Doc("sequences per minibatch") int batchSize,
        @Doc(LayerImplementation.DESCRIPTION) LayerImplementation implementation,
        @Doc(Cell.DESCRIPTION) Cell cell) {

    public EpochTraining {
        implementation = implementation == null ? LayerImplementation.FAST : implementation;
        cell = cell == null ? Cell.SIMPLE : cell;
        OptionCheck.inRange("--epochs", epochs, 1, 100_000);
        OptionCheck.inRange("--learning-rate", learningRate, 0, 10);
        OptionCheck.inRange("--batch-size", batchSize, 1, 1_000_000);
    }

    /** The tutorials' SimpleRnn cell, as every task trained before gated cells came. */
    public EpochTraining(int epochs, long seed, double learningRate, int batchSize, LayerImplementation implementation) {
        this(epochs, seed, learningRate, batchSize, implementation, Cell.SIMPLE);
    }

    /** The same with another number of epochs ({@code all --quick} runs a few). */
    public EpochTraining withEpochs(int count) {
        return new EpochTraining(count, seed, learningRate, batchSize, implementation, cell);
    }

    /** A recurrent layer of the chosen cell and implementation; a SimpleRnn gets {@code simpleActivation}. */
    public BaseRecurrentLayer.Builder<?> recurrentLayer(Activation simpleActivation) {
        return cell.layer(implementation, simpleActivation);
    }
}
