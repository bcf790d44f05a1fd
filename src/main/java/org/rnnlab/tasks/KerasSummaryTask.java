package org.rnnlab.tasks;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import com.fasterxml.jackson.annotation.JsonAlias;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.rnnlab.BadInputException;
import org.rnnlab.data.NumberList;
import org.rnnlab.nets.TrainedNetwork;
import org.rnnlab.nets.Training;
import org.rnnlab.reference.GradientCheck;
import org.rnnlab.report.QualityFloor;
import org.rnnlab.report.TaskMetrics;
import org.rnnlab.summary.KerasLayerView;
import org.rnnlab.summary.KerasModelView;
import org.rnnlab.summary.KerasSummary;
import org.rnnlab.summary.SummaryStyle;

/**
 * Seed 003, second half: the Keras model {@code SimpleRNN(10, input_shape=(3, 1))} followed by
 * {@code Dense(1)}, built in DL4J, and its {@code model.summary()}. Keras's SimpleRNN hands on only
 * its last step unless told otherwise, so the DL4J twin is a tanh SimpleRnn inside LastTimeStep,
 * then an identity OutputLayer (Dense's default activation is linear).
 *
 * <p>Nothing is trained, as in the seed: "training" builds the network with seeded weights and
 * saves it. Evaluation checks the seed's two claims: the network has 131 parameters, Keras's
 * formulas and DL4J agreeing layer by layer, and its Keras 2.2 summary is the seed's text byte for
 * byte. The demo prints that summary and where each count comes from.
 */
public final class KerasSummaryTask extends Task<KerasSummaryTask.Options, Void> {
    /** The summary printed in seed 003, without the notebook's indentation. */
    static final String SEED_SUMMARY_RESOURCE = "keras-summary-seed003.txt";

    /** Runs {@code rnnlab train keras-summary} with these arguments, e.g. {@code --hidden 20}. */
    public static void main(String[] args) {
        TrainCommandLine.main(new KerasSummaryTask(), args);
    }

    /** Options of {@code rnnlab train keras-summary}; the defaults are the seed's model. */
    public record Options(
            @Doc("seed of the initial weights") long seed,
            @Doc(value = "units of the SimpleRNN layer, Keras's SimpleRNN(units, ...)", aliases = "--units")
            @JsonAlias("units") int hidden,
            @Doc("time steps of each input sequence, the T of Keras's input_shape=(T, features)") int steps,
            @Doc("features of each input step") int features,
            @Doc("units of the Dense output layer") int outputs) {

        public Options {
            OptionCheck.inRange("--hidden", hidden, 1, 4096);
            OptionCheck.inRange("--steps", steps, 1, 10_000);
            OptionCheck.inRange("--features", features, 1, 4096);
            OptionCheck.inRange("--outputs", outputs, 1, 4096);
        }

        /** Whether this is the seed's model, whose summary the seed prints. */
        boolean isSeedModel() {
            return hidden == 10 && steps == 3 && features == 1 && outputs == 1;
        }
    }

    public KerasSummaryTask() {
        super("keras-summary", "seed 003: Keras's SimpleRNN(10, input_shape=(3, 1)) + Dense(1) in DL4J, 131"
                + " parameters, its Keras summary", new Options(42, 10, 3, 1, 1), GradientCheck.Labels.EVERY_STEP);
    }

    @Override
    public boolean trains() {
        return false; // a check: nothing is trained
    }

    // ---- Network: SimpleRNN as LastTimeStep(SimpleRnn), Dense as OutputLayer

    @Override
    public MultiLayerConfiguration network(Options options) {
        return new NeuralNetConfiguration.Builder()
                .seed(options.seed())
                .weightInit(WeightInit.XAVIER_UNIFORM) // Keras's glorot_uniform; biases start at zero in both
                .list()
                .layer(new LastTimeStep(new SimpleRnn.Builder().nOut(options.hidden()).activation(Activation.TANH)
                        .build()))
                .layer(new OutputLayer.Builder(LossFunction.MSE).nOut(options.outputs())
                        .activation(Activation.IDENTITY).build())
                .setInputType(InputType.recurrent(options.features(), options.steps()))
                .build();
    }

    @Override
    public OptionalInt sequenceLength(Options options) {
        return OptionalInt.of(options.steps());
    }

    // ---- "Training": the network is built with seeded weights and saved, as the seed never fits it

    /** Nothing to read: the check builds its network from the options alone. */
    @Override
    public Void data(Options options, TaskContext context) {
        return null;
    }

    @Override
    public Training train(Options options, Void data, TaskContext context) {
        long start = System.nanoTime();
        MultiLayerNetwork network = newNetwork(options, context);
        return new Training(TrainedNetwork.withoutNormalizer(network), 0, (System.nanoTime() - start) / 1e9, Map.of());
    }

    // ---- Evaluation: the parameter count and the seed's summary text

    private static KerasModelView view(MultiLayerNetwork network, Options options) {
        return KerasModelView.of(network, OptionalInt.of(options.steps()));
    }

    @Override
    public TaskMetrics evaluate(TrainedNetwork model, Options options, Void data, TaskContext context) {
        MultiLayerNetwork network = model.network();
        KerasModelView view = view(network, options);
        TaskMetrics metrics = new TaskMetrics()
                .count("parameters", network.numParams())
                .count("keras_parameters", view.kerasParameters())
                .check("counts_agree", view.countsAgree())
                .floor(QualityFloor.yes("counts_agree"));
        if (options.isSeedModel()) {
            String summary = KerasSummary.render(network, sequenceLength(options), SummaryStyle.KERAS_2_2);
            metrics.check("matches_seed_summary", summary.equals(seedSummary()))
                    .floor(QualityFloor.yes("matches_seed_summary"));
        }
        return metrics;
    }

    /** The summary as seed 003 prints it. */
    static String seedSummary() {
        try (InputStream in = KerasSummaryTask.class.getResourceAsStream(SEED_SUMMARY_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(SEED_SUMMARY_RESOURCE + " is missing from the build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- Demo: the model in Keras's words, its summary, and where the 131 come from

    @Override
    public void demo(TrainedNetwork model, Options options, Void data, TaskContext context) {
        PrintStream out = context.out();
        MultiLayerNetwork network = model.network();
        out.printf(Locale.ROOT, "%s Keras model: SimpleRNN(%d, input_shape=(%d, %d)) + Dense(%d)%n",
                options.isSeedModel() ? "The seed's" : "The", options.hidden(), options.steps(), options.features(),
                options.outputs());
        out.printf(Locale.ROOT, "In DL4J: LastTimeStep(SimpleRnn %d -> %d, tanh) + OutputLayer %d -> %d, identity%n",
                options.features(), options.hidden(), options.hidden(), options.outputs());
        out.println("model.summary(), as Keras 2.2 prints it:");
        out.print(KerasSummary.render(network, sequenceLength(options), SummaryStyle.KERAS_2_2));
        out.println("Where the parameters come from:");
        KerasModelView view = view(network, options);
        List<String> names = view.layerNames(true);
        for (int i = 0; i < view.layers().size(); i++) {
            KerasLayerView layer = view.layers().get(i);
            out.printf(Locale.ROOT, "  %-13s %s%n", names.get(i), layer.parameterBreakdown());
        }
        out.printf(Locale.ROOT, "  %-13s %d; DL4J's numParams() gives %d%n", "total", view.kerasParameters(),
                network.numParams());
    }

    // ---- Prediction: the untrained network's output for one sequence

    @Override
    public PredictExample predictExample() {
        return new PredictExample("0.1,0.2,0.3", defaultOptions().steps() + " steps of " + defaultOptions().features()
                + " feature; answers the Dense layer's output");
    }

    @Override
    public String predict(TrainedNetwork model, Options options, String input) {
        int count = options.steps() * options.features();
        double[] values = NumberList.parse(input, "--input", count);
        if (values.length != count) {
            throw new BadInputException(String.format(Locale.ROOT,
                    "--input takes %d numbers: %d steps of %d feature(s), step after step; got %d", count,
                    options.steps(), options.features(), values.length));
        }
        INDArray sequence = Nd4j.create(model.network().params().dataType(), 1, options.features(), options.steps());
        for (int t = 0; t < options.steps(); t++) {
            for (int f = 0; f < options.features(); f++) {
                sequence.putScalar(new long[] {0, f, t}, values[t * options.features() + f]);
            }
        }
        double[] output = model.network().output(sequence).toDoubleVector();
        StringBuilder text = new StringBuilder("Dense output of the untrained network (weights from seed "
                + options.seed() + "):");
        for (double value : output) {
            text.append(String.format(Locale.ROOT, " %.6f", value));
        }
        return text.toString();
    }
}
