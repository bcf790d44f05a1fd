package org.rnnlab.tasks;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import com.fasterxml.jackson.annotation.JsonAlias;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.rnnlab.BadInputException;
import org.rnnlab.data.CsvShape;
import org.rnnlab.data.DatasetFolder;
import org.rnnlab.data.FolderLock;
import org.rnnlab.data.ForwardPassData;
import org.rnnlab.data.MultiSequenceCsv;
import org.rnnlab.data.NumberList;
import org.rnnlab.nets.TrainedNetwork;
import org.rnnlab.nets.Training;
import org.rnnlab.reference.Convention;
import org.rnnlab.reference.Dl4jMapping;
import org.rnnlab.reference.GradientCheck;
import org.rnnlab.reference.ReferenceActivation;
import org.rnnlab.reference.ReferenceLoss;
import org.rnnlab.reference.ReferenceRnn;
import org.rnnlab.report.QualityFloor;
import org.rnnlab.report.TaskMetrics;

/**
 * Seed 003, "code your own RNN": random inputs (100 steps of 32 features) through one tanh
 * recurrent layer of 64 units, {@code output_t = tanh(W input_t + U state_t + b)} with the state
 * starting at zero, once by a DL4J SimpleRnn and once by the reference loop on the same weights.
 * Nothing is trained: "training" sets the seed's random weights; evaluation compares the two
 * forward passes in double precision.
 *
 * <p>The seed draws every weight from [0, 1): with 32 positive inputs every unit then saturates
 * at tanh = 1 (docs/tasks.md, "Task notes"), and a comparison of ones with ones proves
 * little. The default draws from [0, 0.05) instead, where no output saturates;
 * {@code --weight-scale 1} is the seed's own draw. The metrics report the saturated share.
 */
public final class ForwardPassTask extends Task<ForwardPassTask.Options, ForwardPassTask.Data> {
    static final String INPUTS = "inputs.csv";

    /** Runs {@code rnnlab train forward-pass} with these arguments, e.g. {@code --weight-scale 1}. */
    public static void main(String[] args) {
        TrainCommandLine.main(new ForwardPassTask(), args);
    }

    /** Options of {@code rnnlab train forward-pass}. */
    public record Options(
            @Doc("seed of the random inputs and weights") long seed,
            @Doc("time steps of the input sequence") int steps,
            @Doc(value = "input features per step", aliases = "--input-features")
            @JsonAlias("inputFeatures") int features,
            @Doc(value = "units of the tanh recurrent layer (its output features)", aliases = "--output-features")
            @JsonAlias("outputFeatures") int hidden,
            @Doc("weights are drawn from [0, X); 1 is the seed's own draw, which saturates every unit") double weightScale) {

        public Options {
            OptionCheck.inRange("--steps", steps, 1, 10_000);
            OptionCheck.inRange("--features", features, 1, 4096);
            OptionCheck.inRange("--hidden", hidden, 1, 4096);
            OptionCheck.inRange("--weight-scale", weightScale, 0, 100);
        }
    }

    /** The seeded random input sequence [1, features, steps], as read back from its CSV file. */
    public record Data(INDArray inputs) {
    }

    public ForwardPassTask() {
        super("forward-pass", "seed 003: one tanh SimpleRnn 32 -> 64 over 100 random steps, DL4J against the"
                + " reference loop", new Options(42, 100, 32, 64, 0.05), GradientCheck.Labels.EVERY_STEP);
    }

    @Override
    public boolean trains() {
        return false; // a check: nothing is trained
    }

    // ---- Data: the seeded random inputs as CSV (one line per feature), read back by DataVec

    @Override
    public Data data(Options options, TaskContext context) throws IOException {
        Path dir = context.dataDir(this);
        ForwardPassData.Recipe recipe = recipe(options);
        // Locked while generated and read: a concurrent run with another recipe waits instead of
        // swapping the files under this one (docs/robustness.md, "Two runs, one folder").
        try (FolderLock lock = FolderLock.acquire(dir, "its data", context.out())) {
            boolean generated = DatasetFolder.prepare(dir, recipe, List.of(INPUTS), into -> MultiSequenceCsv.write(
                    into.resolve(INPUTS), "one line per input feature, one value per time step",
                    List.<double[][]>of(ForwardPassData.byFeature(ForwardPassData.generate(recipe).inputs()))), context.out());
            if (generated) {
                context.out().printf("generated %s (%d steps x %d features, seed %d)%n", dir, options.steps(),
                        options.features(), options.seed());
            }
            return new Data(readInputs(dir, options));
        }
    }

    private static ForwardPassData.Recipe recipe(Options options) {
        return new ForwardPassData.Recipe(options.seed(), options.steps(), options.features(),
                options.hidden(), options.weightScale());
    }

    /** The inputs as DL4J wants them: [1, inputFeatures, steps], DOUBLE. */
    static INDArray readInputs(Path dir, Options options) throws IOException {
        return MultiSequenceCsv.readFeatures(dir.resolve(INPUTS),
                CsvShape.blocks(options.features(), options.steps(), options.steps(), "one per time step"), DataType.DOUBLE);
    }

    // ---- Network: one tanh SimpleRnn in DOUBLE, and the seed's weights

    @Override
    public MultiLayerConfiguration network(Options options) {
        return new NeuralNetConfiguration.Builder()
                .seed(options.seed())
                .dataType(DataType.DOUBLE)
                .list()
                .layer(new SimpleRnn.Builder().nIn(options.features()).nOut(options.hidden())
                        .activation(Activation.TANH).build())
                .setInputType(InputType.recurrent(options.features()))
                .build();
    }

    /**
     * The seed's weights in DL4J's layout. DL4J computes x W + h RW with W [in, out] and RW
     * [out, out]; the seed computes W x + U s with W [out, in]: so DL4J's W is the seed's W
     * transposed, and RW the seed's U transposed.
     */
    static void setSeedWeights(MultiLayerNetwork network, ForwardPassData.Draw draw) {
        network.getParam("0_W").assign(Nd4j.createFromArray(draw.w()).transpose());
        network.getParam("0_RW").assign(Nd4j.createFromArray(draw.u()).transpose());
        network.getParam("0_b").assign(Nd4j.createFromArray(draw.b()));
    }

    @Override
    public NetworkUnderCheck networkUnderCheck() {
        // The layer alone has no loss to take gradients of, so the check adds a one-unit identity
        // output scored by squared error, and uses short sequences: the check's cost grows with the
        // 6,208 weights times the steps.
        Options d = defaultOptions();
        MultiLayerConfiguration withHead = new NeuralNetConfiguration.Builder().list()
                .layer(new SimpleRnn.Builder().nOut(d.hidden()).activation(Activation.TANH).build())
                .layer(new RnnOutputLayer.Builder(LossFunction.MSE).nOut(1).activation(Activation.IDENTITY).build())
                .setInputType(InputType.recurrent(d.features()))
                .build();
        return new NetworkUnderCheck(withHead, 3, GradientCheck.Labels.EVERY_STEP);
    }

    @Override
    public OptionalInt sequenceLength(Options options) {
        return OptionalInt.of(options.steps());
    }

    // ---- "Training": no fitting; the network gets the seed's random weights

    @Override
    public Training train(Options options, Data data, TaskContext context) {
        long start = System.nanoTime();
        MultiLayerNetwork network = newNetwork(options, context);
        setSeedWeights(network, ForwardPassData.generate(recipe(options)));
        return new Training(TrainedNetwork.withoutNormalizer(network), 0, (System.nanoTime() - start) / 1e9, Map.of());
    }

    // ---- Evaluation: DL4J's outputs against the reference loop's, on the same weights

    /** The reference RNN with the network's weights (one recurrent layer; the output layer is unused). */
    static ReferenceRnn reference(MultiLayerNetwork network) {
        int in = (int) network.getParam("0_W").size(0);
        int out = (int) network.getParam("0_W").size(1);
        ReferenceRnn reference = new ReferenceRnn(List.of(new ReferenceRnn.Recurrent(in, out, ReferenceActivation.TANH,
                true)), new ReferenceRnn.Output(out, 1, ReferenceActivation.IDENTITY, ReferenceLoss.MSE, false),
                Convention.DL4J);
        for (String name : List.of("0_W", "0_RW", "0_b")) {
            double[] values = Dl4jMapping.flatten(network.getParam(name));
            System.arraycopy(values, 0, reference.parameters().get(name), 0, values.length);
        }
        return reference;
    }

    @Override
    public TaskMetrics evaluate(TrainedNetwork model, Options options, Data data, TaskContext context) {
        INDArray inputs = data.inputs();
        INDArray dl4j = model.network().output(inputs); // [1, 64, 100]
        double[][] loop = reference(model.network()).hiddenStates(
                Dl4jMapping.toArrays(inputs), null)[0]; // [100][64]
        double maxDifference = 0;
        int saturated = 0;
        for (int t = 0; t < loop.length; t++) {
            for (int k = 0; k < loop[t].length; k++) {
                maxDifference = Math.max(maxDifference, Math.abs(dl4j.getDouble(0, k, t) - loop[t][k]));
                saturated += Math.abs(loop[t][k]) > 0.999 ? 1 : 0;
            }
        }
        return new TaskMetrics()
                .put("max_abs_difference", maxDifference)
                .count("output_steps", loop.length)
                .count("output_features", loop[0].length)
                .put("saturated_fraction", (double) saturated / (loop.length * loop[0].length))
                .floor(QualityFloor.atMost("max_abs_difference", 1e-6));
    }

    // ---- Demo: the seed's final output tensor, its shape and a corner of it from both sides

    @Override
    public void demo(TrainedNetwork model, Options options, Data data, TaskContext context) {
        INDArray inputs = data.inputs();
        INDArray dl4j = model.network().output(inputs);
        double[][] loop = reference(model.network()).hiddenStates(
                Dl4jMapping.toArrays(inputs), null)[0];
        PrintStream out = context.out();
        out.printf("Final output sequence: shape (%d, %d), as (timesteps, output_features) in the seed.%n",
                loop.length, loop[0].length);
        out.println("  step  unit        DL4J   reference loop");
        for (int t : new int[] {0, 1, loop.length - 1}) {
            for (int k = 0; k < Math.min(3, loop[0].length); k++) {
                out.printf(Locale.ROOT, "  %4d  %4d  %10.7f  %10.7f%n", t + 1, k + 1, dl4j.getDouble(0, k, t), loop[t][k]);
            }
        }
    }

    // ---- Prediction: the outputs after a sequence typed on the command line

    @Override
    public PredictExample predictExample() {
        int features = defaultOptions().features();
        String step1 = String.join(",", java.util.Collections.nCopies(features, "0.1"));
        String step2 = String.join(",", java.util.Collections.nCopies(features, "0.2"));
        return new PredictExample(step1 + ";" + step2, "\"0.1,...,0.1;0.2,...,0.2\"", features
                + " values a step, steps split by ';'; answers the " + defaultOptions().hidden()
                + " outputs of the last step");
    }

    @Override
    public String predict(TrainedNetwork model, Options options, String input) {
        int features = (int) model.network().getParam("0_W").size(0);
        String[] steps = input.split(";");
        INDArray sequence = Nd4j.create(DataType.DOUBLE, 1, features, steps.length);
        for (int t = 0; t < steps.length; t++) {
            double[] values = NumberList.parse(steps[t], "--input step " + (t + 1), features);
            if (values.length != features) {
                throw new BadInputException("--input: each step takes " + features + " values (steps separated by ';'), "
                        + "step " + (t + 1) + " has " + values.length);
            }
            sequence.get(point(0), all(), point(t)).assign(Nd4j.createFromArray(values));
        }
        double[] last = model.network().output(sequence).get(point(0), all(), point(steps.length - 1)).toDoubleVector();
        StringBuilder text = new StringBuilder("output after step " + steps.length + ":");
        for (int k = 0; k < last.length; k++) {
            text.append(k % 8 == 0 ? "\n " : "").append(String.format(Locale.ROOT, " %9.6f", last[k]));
        }
        return text.toString();
    }
}
