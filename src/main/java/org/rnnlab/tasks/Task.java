package org.rnnlab.tasks;

import java.io.IOException;
import java.util.List;
import java.util.OptionalInt;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.rnnlab.nets.TrainedNetwork;
import org.rnnlab.nets.Training;
import org.rnnlab.plots.Picture;
import org.rnnlab.report.TaskMetrics;

/**
 * One tutorial turned into a trainable, evaluable, saveable DL4J task.
 *
 * <p>An implementation reads top to bottom like the tutorial it comes from: its data, its
 * network, its training, its evaluation, its demo. The surrounding machinery (saving the zip
 * and metrics.json, progress, the command line) lives in {@link TaskRunner} and the cli package.
 *
 * @param <O> the task's options: a record with validated defaults, one command-line option per component
 */
public interface Task<O extends Record> {

    /** The name used on the command line and for the data and model folders, e.g. {@code binary-sum}. */
    String name();

    /**
     * Whether the task trains a network. Seed 003's forward-pass and keras-summary are checks: they
     * build a network and compare it with the reference or with Keras, and their runs say so.
     */
    default boolean trains() {
        return true;
    }

    /** One line for {@code rnnlab list}. */
    String description();

    Class<O> optionsType();

    /** The defaults that meet the task's quality floors. */
    O defaultOptions();

    /**
     * A much shorter run for {@code rnnlab all --quick}: it exercises everything but need not meet the
     * floors. A task that trains nothing has nothing to shorten and runs its defaults.
     */
    default O quickOptions() {
        return defaultOptions();
    }

    /**
     * Named alternatives to the defaults, picked with {@code train TASK --preset NAME}; options typed
     * beside it still override it. Char-rnn's {@code seed} is the seed tutorial's own recipe.
     */
    default java.util.Map<String, O> presets() {
        return java.util.Map.of();
    }

    /** The network its default options build and the shape of its data, for gradient checks. */
    NetworkUnderCheck networkUnderCheck();

    /**
     * The network these options build, untrained and without reading any data: what
     * {@code rnnlab summary TASK} shows. A size that only the data decides (char-rnn's vocabulary)
     * takes the value of the seed's own data.
     */
    MultiLayerConfiguration configuration(O options);

    /**
     * The number of time steps every sequence of the task's data has, as a Keras model built with
     * {@code input_shape=(steps, features)} would know it; empty where lengths vary. Summaries show
     * it as T in {@code (None, T, units)}, and None where it is empty. The DL4J networks themselves
     * take any length.
     */
    OptionalInt sequenceLength(O options);

    /** Generate or read the data, build the network and train it. */
    Training train(O options, TaskContext context) throws IOException;

    /** Held-out metrics and the task's quality floors; the same numbers after training and after loading the zip. */
    TaskMetrics evaluate(TrainedNetwork model, O options, TaskContext context) throws IOException;

    /**
     * Charts of the trained network itself (binary-sum's weight heat maps, say), written beside the
     * model unless {@code --no-plots}; the loss curves and whatever the training loop drew come on top.
     */
    default List<Picture> pictures(TrainedNetwork model, O options) {
        return List.of();
    }

    /** The tutorial's own printout of the trained network at work. */
    void demo(TrainedNetwork model, O options, TaskContext context) throws IOException;

    /**
     * One prediction from text typed on the command line.
     *
     * @throws org.rnnlab.BadInputException when the input cannot be used, saying what would be accepted
     */
    String predict(TrainedNetwork model, O options, String input);
}
