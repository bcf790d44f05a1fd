package org.rnnlab.tasks;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.dataset.api.preprocessor.DataNormalization;
import org.rnnlab.BadInputException;
import org.rnnlab.nets.ModelStore;
import org.rnnlab.nets.NetworkShape;
import org.rnnlab.nets.TrainedNetwork;
import org.rnnlab.nets.Training;
import org.rnnlab.plots.Picture;
import org.rnnlab.reference.GradientCheck;
import org.rnnlab.report.TaskMetrics;

/**
 * One tutorial turned into a trainable, evaluable, saveable DL4J task.
 *
 * <p>A subclass reads top to bottom like the tutorial it comes from: its data, its network, its
 * training, its evaluation, its demo, and a {@code main} that runs it as {@code rnnlab train}
 * would. What every task shares lives here and in {@link TaskRunner}: the name, description,
 * defaults and presets given to the constructor; reading the data once per run and handing it to
 * each phase; saving the zip and metrics.json; the command line ({@link TrainCommandLine}).
 *
 * @param <O> the task's options: a record with validated defaults, one command-line option per component
 * @param <D> the task's data, read or generated once per run (Void for a task that needs none)
 */
public abstract class Task<O extends Record, D> {
    private final String name;
    private final String description;
    private final O defaults;
    private final OptionalInt steps;
    private final GradientCheck.Labels labels;
    private final Map<String, O> presets = new LinkedHashMap<>();
    private O quick;

    /**
     * @param name        the name used on the command line and for the data and model folders, e.g. {@code binary-sum}
     * @param description one line for {@code rnnlab list}
     * @param defaults    the options that meet the task's quality floors
     * @param labels      how the labels sit in time (every step, the last one, variable lengths), for gradient checks
     *                    (a task whose sequence lengths vary, or follow its options, says so in {@link #sequenceLength})
     */
    protected Task(String name, String description, O defaults, GradientCheck.Labels labels) {
        this(name, description, defaults, OptionalInt.empty(), labels);
    }

    /** A task all of whose sequences have {@code steps} time steps. */
    protected Task(String name, String description, O defaults, int steps, GradientCheck.Labels labels) {
        this(name, description, defaults, OptionalInt.of(steps), labels);
    }

    private Task(String name, String description, O defaults, OptionalInt steps, GradientCheck.Labels labels) {
        this.name = name;
        this.description = description;
        this.defaults = defaults;
        this.steps = steps;
        this.labels = labels;
    }

    /**
     * Adds a named alternative to the defaults, picked with {@code train TASK --preset NAME}; options
     * typed beside it still override it.
     */
    protected final void preset(String presetName, O options) {
        presets.put(presetName, options);
    }

    /** Sets the much shorter run {@code rnnlab all --quick} trains: every step exercised, no floor promised. */
    protected final void quick(O options) {
        quick = options;
    }

    /** The defaults with one component changed, e.g. {@code withDefault("epochs", 5)}; the record validates it. */
    protected final O withDefault(String component, Object value) {
        return RecordOptions.with(defaults, component, value);
    }

    public final String name() {
        return name;
    }

    public final String description() {
        return description;
    }

    @SuppressWarnings("unchecked")
    public final Class<O> optionsType() {
        return (Class<O>) defaults.getClass();
    }

    /** The defaults that meet the task's quality floors. */
    public final O defaultOptions() {
        return defaults;
    }

    /** The named presets, in the order they were added. */
    public final Map<String, O> presets() {
        return Collections.unmodifiableMap(presets);
    }

    /**
     * A much shorter run for {@code rnnlab all --quick}: it exercises everything but need not meet the
     * floors. A task that trains nothing has nothing to shorten and runs its defaults.
     */
    public final O quickOptions() {
        return quick != null ? quick : defaults;
    }

    /**
     * Whether the task trains a network. Seed 003's forward-pass and keras-summary are checks: they
     * build a network and compare it with the reference or with Keras, and their runs say so.
     */
    public boolean trains() {
        return true;
    }

    /**
     * The network these options build, untrained and without reading any data: what training fits
     * and {@code rnnlab summary TASK} shows. A size that only the data decides (char-rnn's
     * vocabulary) takes the value of the seed's own data.
     */
    public abstract MultiLayerConfiguration network(O options);

    /**
     * The number of time steps every sequence of the task's data has, as a Keras model built with
     * {@code input_shape=(steps, features)} would know it; empty where lengths vary. Summaries show
     * it as T in {@code (None, T, units)}, and None where it is empty. The DL4J networks themselves
     * take any length. By default the steps given to the constructor, if any.
     */
    public OptionalInt sequenceLength(O options) {
        return steps;
    }

    /**
     * The network the default options build and the shape of its data, for gradient checks. A task
     * whose sequences vary in length, or whose network needs changing to be checked, overrides it.
     */
    public NetworkUnderCheck networkUnderCheck() {
        return new NetworkUnderCheck(network(defaults), sequenceLength(defaults).orElseThrow(), labels);
    }

    /** The untrained network of these options, initialised, with the context's DL4J listeners attached. */
    protected final MultiLayerNetwork newNetwork(O options, TaskContext context) {
        MultiLayerNetwork network = new MultiLayerNetwork(network(options));
        network.init();
        context.attachListeners(network);
        return network;
    }

    // ---- Loading a saved model, checked part against part

    /**
     * A saved model of this task, checked before it is used: the zip names this task, its options
     * are valid, its network has the shape those options describe (layer kinds, widths and
     * activations), its normalizer is there exactly when the task uses one and is as wide as the
     * network, and the task's own state agrees with both ({@link #describedNetwork}). A zip
     * assembled from parts of different models is refused naming the first disagreement.
     *
     * @throws org.rnnlab.BadInputException naming the file and what disagrees
     */
    public final ModelStore.StoredModel load(Path file) {
        ModelStore.StoredModel model = ModelStore.load(file); // reads and checks the zip once
        String stored = model.info().task();
        if (!name.equals(stored)) {
            throw new BadInputException(file + " holds a " + stored + " model, not " + name);
        }
        O options = model.info().options(optionsType());
        NetworkShape has = NetworkShape.of(model.model().network().getLayerWiseConfigurations());
        NetworkShape described = NetworkShape.of(describedNetwork(options, model.model(), file));
        has.differenceFrom(described).ifPresent(difference -> {
            throw new BadInputException(file + ": its network and its " + ModelStore.INFO_ENTRY + " disagree: "
                    + difference + "; the zip mixes parts of different models");
        });
        DataNormalization normalizer = model.model().normalizer();
        if (normalizes() && normalizer == null) {
            throw new BadInputException(file + " has no " + ModelSerializer.NORMALIZER_BIN + "; a " + name
                    + " model needs the scaling its training data went through");
        }
        if (!normalizes() && normalizer != null) {
            throw new BadInputException(file + " holds a " + ModelSerializer.NORMALIZER_BIN + ", which " + name
                    + " models never have; the zip mixes parts of different models");
        }
        if (normalizer != null) {
            has.normalizerDifference(normalizer).ifPresent(difference -> {
                throw new BadInputException(file + ": " + difference + "; the zip mixes parts of different models");
            });
        }
        return model;
    }

    /**
     * The network a saved model's options describe, to check its network against. By default
     * {@link #network}; a task whose sizes come from state saved in the zip (char-rnn's vocabulary)
     * overrides it, refusing a zip whose state is missing or unusable.
     */
    protected MultiLayerConfiguration describedNetwork(O options, TrainedNetwork model, Path file) {
        return network(options);
    }

    /**
     * The options of the model a run continues (char-rnn's {@code --resume}), standing in for the
     * defaults so that options the user does not type are the model's own; null for a run that
     * starts afresh, which is every run of a task that cannot resume.
     */
    public O resumedOptions(O typed) {
        return null;
    }

    /** Whether the task's models carry a normalizer (normalizer.bin) that their data goes through. */
    protected boolean normalizes() {
        return false;
    }

    // ---- Data

    /** Generates the task's data where it is missing or stale, and reads it: once per run. */
    public abstract D data(O options, TaskContext context) throws IOException;

    /**
     * The data to evaluate a saved model on: by default that of its stored options; a task whose
     * model records its data itself (char-rnn's corpus file) overrides it.
     */
    public D data(O options, TrainedNetwork model, TaskContext context) throws IOException {
        return data(options, context);
    }

    /** Builds the network and trains it on {@code data}. */
    public abstract Training train(O options, D data, TaskContext context) throws IOException;

    /** Held-out metrics and the task's quality floors; the same numbers after training and after loading the zip. */
    public abstract TaskMetrics evaluate(TrainedNetwork model, O options, D data, TaskContext context)
            throws IOException;

    /** The tutorial's own printout of the trained network at work. */
    public abstract void demo(TrainedNetwork model, O options, D data, TaskContext context) throws IOException;

    /**
     * Charts of the trained network itself (binary-sum's weight heat maps, say), written beside the
     * model unless {@code --no-plots}; the loss curves and whatever the training loop drew come on top.
     */
    public List<Picture> pictures(TrainedNetwork model, O options) {
        return List.of();
    }

    /** An input {@link #predict} accepts, and what it means: {@code rnnlab predict --help} lists one per task. */
    public abstract PredictExample predictExample();

    /**
     * One prediction from text typed on the command line.
     *
     * @throws org.rnnlab.BadInputException when the input cannot be used, saying what would be accepted
     */
    public abstract String predict(TrainedNetwork model, O options, String input);

    /** Reads the data and trains: for callers (benchmarks, tests) that run one phase on its own. */
    public final Training train(O options, TaskContext context) throws IOException {
        return train(options, data(options, context), context);
    }

    /** Reads the data and evaluates {@code model} on it. */
    public final TaskMetrics evaluate(TrainedNetwork model, O options, TaskContext context) throws IOException {
        return evaluate(model, options, data(options, context), context);
    }

    /** Reads the data and shows the demo. */
    public final void demo(TrainedNetwork model, O options, TaskContext context) throws IOException {
        demo(model, options, data(options, context), context);
    }

    @Override
    public String toString() {
        return name; // parameterised tests and messages show the task by its name
    }
}
