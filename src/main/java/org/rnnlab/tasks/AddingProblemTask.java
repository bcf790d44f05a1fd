package org.rnnlab.tasks;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import org.deeplearning4j.datasets.datavec.SequenceRecordReaderDataSetIterator.AlignmentMode;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.rnnlab.BadInputException;
import org.rnnlab.data.AddingProblemData;
import org.rnnlab.data.CsvShape;
import org.rnnlab.data.DatasetFolder;
import org.rnnlab.data.FolderLock;
import org.rnnlab.data.Json;
import org.rnnlab.data.LineSequenceCsv;
import org.rnnlab.data.MultiSequenceCsv;
import org.rnnlab.data.NumberList;
import org.rnnlab.layers.Cell;
import org.rnnlab.nets.EpochTrainer;
import org.rnnlab.nets.TrainedNetwork;
import org.rnnlab.nets.Training;
import org.rnnlab.nets.Updaters;
import org.rnnlab.plots.CellComparison;
import org.rnnlab.plots.Picture;
import org.rnnlab.reference.GradientCheck;
import org.rnnlab.report.QualityFloor;
import org.rnnlab.report.TaskMetrics;

/**
 * Why gated cells exist: the adding problem of Hochreiter and Schmidhuber (1997). A sequence of T
 * random numbers comes with a marker on two of them, one in each half; the answer, given after the
 * last step, is the sum of the two marked numbers (many-to-one regression). The first marked number
 * must be kept through up to T steps of numbers that do not matter, and the gradient that would
 * teach a plain recurrent cell to keep it shrinks with every step it flows back through.
 *
 * <p>The task trains its cell (LSTM by default) at T = 100, then every cell alike at each length of
 * {@code --compare-steps} (10, 25, 50, 100 by default; 0 for none), and draws their held-out errors
 * against T beside the error of answering the mean (about 1/6): LSTM's and GRU's fall far below it
 * at T = 100, SimpleRnn's does not (docs/tasks.md, "adding-problem").
 */
public final class AddingProblemTask extends Task<AddingProblemTask.Options, AddingProblemTask.Data> {
    static final int INPUTS = 2;
    /** Held-out sequences per training sequence. */
    static final int TEST_SHARE = 10;
    /** The floor: far below answering the mean (about 0.17); a cell that has learnt the sum meets it. */
    static final double MSE_FLOOR = 0.01;
    static final int DEMO_SEQUENCES = 5;

    /** Runs {@code rnnlab train adding-problem} with these arguments, e.g. {@code --steps 50}. */
    public static void main(String[] args) {
        TrainCommandLine.main(new AddingProblemTask(), args);
    }

    /** Options of {@code rnnlab train adding-problem}. */
    public record Options(
            EpochTraining training,
            @Doc("T: steps in every sequence; the two marked numbers lie one in each half") int steps,
            @Doc("units in the recurrent layer") int hidden,
            @Doc("training sequences; a tenth as many more are held out") int sequences,
            @Doc("lengths T at which every cell (SIMPLE, LSTM, GRU) is trained alike for cells-by-length.png; 0: none")
            int[] compareSteps) {

        public Options {
            OptionCheck.inRange("--steps", steps, 2, 10_000);
            OptionCheck.inRange("--hidden", hidden, 1, 1024);
            OptionCheck.inRange("--sequences", sequences, TEST_SHARE, 1_000_000);
            compareSteps = compareSteps == null || java.util.Arrays.equals(compareSteps, new int[] {0}) ? new int[0]
                    : compareSteps.clone();
            for (int t : compareSteps) {
                OptionCheck.inRange("--compare-steps", t, 2, 10_000);
            }
            if (!java.util.Arrays.equals(compareSteps, java.util.Arrays.stream(compareSteps).sorted().distinct().toArray())) {
                throw new BadInputException("--compare-steps must rise, each length once, got "
                        + java.util.Arrays.toString(compareSteps));
            }
        }

        /** The same recipe at another length, with another cell: one point of the comparison. */
        Options at(int length, Cell cell) {
            EpochTraining t = training;
            return new Options(new EpochTraining(t.epochs(), t.seed(), t.learningRate(), t.batchSize(),
                    t.implementation(), cell), length, hidden, sequences, new int[0]);
        }
    }

    /** Training and held-out sequences, as read back from their CSV files, and the error of answering the mean. */
    public record Data(DataSet train, DataSet test, double trivialMse) {
    }

    public AddingProblemTask() {
        // Adam 0.01 with gradients clipped at 1 per layer: the recipe PyTorch's LSTM solves T = 100
        // with in about 1,000 steps of 50 (docs/tasks.md, "adding-problem").
        // Every cell at four lengths: eleven more networks of up to 100 steps, about 3 minutes with the
        // fast layers (docs/tasks.md, "adding-problem").
        super("adding-problem", "Hochreiter & Schmidhuber 1997: the sum of the 2 marked numbers among T = 100 (many-to-one"
                + " regression, LSTM 32), then SimpleRnn, LSTM and GRU trained alike at T = 10, 25, 50, 100",
                new Options(new EpochTraining(8, 42, 0.01, 50, null, Cell.LSTM), 100, 32, 10_000,
                        new int[] {10, 25, 50, 100}),
                GradientCheck.Labels.LAST_STEP_MASK);
        quick(RecordOptions.with(RecordOptions.with(withDefault("epochs", 1), "sequences", 1000), "compareSteps",
                new int[0]));
    }

    // ---- Data: seeded sequences of numbers and markers as CSV (one block of two lines each),
    // sums one per line, read back by DataVec with the sum at the last step

    @Override
    public Data data(Options options, TaskContext context) throws IOException {
        return data(context, options.training().seed(), options.steps(), options.sequences());
    }

    /** The data of one length, in its own folder (data/adding-problem/T100), so that every length's files stay. */
    private Data data(TaskContext context, long seed, int steps, int sequences) throws IOException {
        Path dir = context.dataDir(this).resolve("T" + steps);
        AddingProblemData.Recipe recipe = new AddingProblemData.Recipe(seed, steps, sequences, sequences / TEST_SHARE);
        // Locked while generated and read (docs/robustness.md, "Two runs, one folder").
        try (FolderLock lock = FolderLock.acquire(dir, "its data", context.out())) {
            boolean generated = DatasetFolder.prepare(dir, recipe, LineSequenceCsv.fileNames("train", "test"), into -> {
                AddingProblemData.Splits splits = AddingProblemData.generate(recipe);
                for (String split : List.of("train", "test")) {
                    AddingProblemData.Split data = split.equals("train") ? splits.train() : splits.test();
                    MultiSequenceCsv.write(LineSequenceCsv.featuresFile(into, split),
                            "one block per sequence: the numbers at each step, then the markers (1 on the two to add)",
                            data.sequences());
                    LineSequenceCsv.writeLines(LineSequenceCsv.labelsFile(into, split), "sum", data.sums());
                }
            }, context.out());
            DataSet train = read(dir, "train", steps);
            DataSet test = read(dir, "test", steps);
            if (generated) {
                context.out().printf("generated %s (%d training and %d test sequences of %d steps, seed %d)%n", dir,
                        train.numExamples(), test.numExamples(), steps, seed);
            }
            return new Data(train, test, trivialMse(train, test));
        }
    }

    /** A split: numbers and markers [n, 2, T], each sum at its sequence's last step (with a label mask). */
    static DataSet read(Path dir, String split, int steps) throws IOException {
        return MultiSequenceCsv.readAll(LineSequenceCsv.featuresFile(dir, split),
                CsvShape.blocks(INPUTS, steps, steps, "one per step; the numbers' line, then the markers'"),
                LineSequenceCsv.labelsFile(dir, split), CsvShape.rows(1, "the sum of the two marked numbers"),
                AlignmentMode.ALIGN_END);
    }

    /** Each sequence's sum: its label at the last step (the other steps' labels are 0 and masked). */
    static double[] sums(DataSet data) {
        return data.getLabels().sum(2).reshape(data.numExamples()).toDoubleVector();
    }

    /** The held-out squared error of always answering the training sums' mean. */
    static double trivialMse(DataSet train, DataSet test) {
        return AddingProblemData.trivialMeanSquaredError(sums(train), sums(test));
    }

    @Override
    public OptionalInt sequenceLength(Options options) {
        return OptionalInt.of(options.steps());
    }

    // ---- Network: one recurrent layer (LSTM 32 by default), a linear output after the last step, squared error

    @Override
    public MultiLayerConfiguration network(Options options) {
        return network(options, true);
    }

    /**
     * @param clip whether gradients are clipped; the clipping acts on the gradient after it is
     *             computed, which DL4J's GradientCheckUtil then sees as a wrong gradient
     */
    private MultiLayerConfiguration network(Options options, boolean clip) {
        EpochTraining training = options.training();
        NeuralNetConfiguration.Builder builder = new NeuralNetConfiguration.Builder()
                .seed(training.seed())
                .updater(Updaters.annealedAdam(training.learningRate(), training.epochs()))
                .weightInit(WeightInit.XAVIER);
        if (clip) {
            // One long sequence can throw a step far; PyTorch's recipe clips the gradient's norm at 1.
            builder.gradientNormalization(GradientNormalization.ClipL2PerLayer).gradientNormalizationThreshold(1.0);
        }
        return builder.list()
                .layer(training.recurrentLayer(Activation.TANH).nOut(options.hidden()).build())
                .layer(training.implementation().rnnOutput(LossFunction.MSE).nOut(1).activation(Activation.IDENTITY).build())
                .setInputType(InputType.recurrent(INPUTS))
                .build();
    }

    @Override
    public NetworkUnderCheck networkUnderCheck() {
        // The task's LSTM, short and narrow so that finite differences stay quick.
        Options check = new Options(defaultOptions().training(), 6, 4, defaultOptions().sequences(), new int[0]);
        return new NetworkUnderCheck(network(check, false), 6, GradientCheck.Labels.LAST_STEP_MASK);
    }

    // ---- Training: the task's cell at T; then every cell alike at each compared length

    @Override
    public Training train(Options options, Data data, TaskContext context) throws IOException {
        long start = System.nanoTime();
        Training trained = trainOne(options, data, context);
        List<Double> perEpoch = trained.history().get("test_mse"); // measured after the last epoch already
        double mainMse = perEpoch.get(perEpoch.size() - 1);
        if (options.compareSteps().length == 0) {
            return trained;
        }
        ObjectNode comparison = compare(options, data, mainMse, context);
        TrainedNetwork model = new TrainedNetwork(trained.model().network(), null,
                Json.MAPPER.createObjectNode().set(COMPARISON, comparison));
        List<Picture> pictures = new ArrayList<>(trained.pictures());
        if (context.drawPictures()) {
            pictures.add(CellComparison.of(name(), options.compareSteps(), comparedErrors(comparison), data.trivialMse()));
        }
        // The run's time includes the comparison: it is what the user waits for.
        return new Training(model, trained.epochs(), (System.nanoTime() - start) / 1e9, trained.history(),
                trained.unit(), pictures, trained.elapsed());
    }

    /** Where the comparison is kept: rnnlab.json's extras, so that the zip and metrics.json both hold it. */
    static final String COMPARISON = "comparison";

    private Training trainOne(Options options, Data data, TaskContext context) {
        EpochTraining training = options.training();
        MultiLayerNetwork network = newNetwork(options, context);
        return EpochTrainer.train(name(), TrainedNetwork.withoutNormalizer(network), data.train(), training.batchSize(),
                training.seed(), training.epochs(), model -> Map.of("test_mse", testMse(model, data.test())),
                context.showProgress());
    }

    /** Every cell trained alike at every compared length: {"steps": [...], "SIMPLE": [mse...], ...}. */
    private ObjectNode compare(Options options, Data data, double mainMse, TaskContext context) throws IOException {
        PrintStream out = context.out();
        ObjectNode comparison = Json.MAPPER.createObjectNode();
        ArrayNode steps = comparison.putArray("steps");
        ArrayNode trivial = comparison.putArray("trivial_mse");
        Map<Cell, ArrayNode> errors = new LinkedHashMap<>();
        for (Cell cell : Cell.values()) {
            errors.put(cell, comparison.putArray(cell.name()));
        }
        out.printf("Every cell trained alike (%d epochs of %d sequences, %d units) at each length:%n",
                options.training().epochs(), options.sequences(), options.hidden());
        for (int length : options.compareSteps()) {
            Data atLength = length == options.steps() ? data : data(context, options.training().seed(), length,
                    options.sequences());
            steps.add(length);
            trivial.add(atLength.trivialMse());
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "  T = %4d   answering the mean %.4f",
                    length, atLength.trivialMse()));
            for (Cell cell : Cell.values()) {
                double mse = length == options.steps() && cell == options.training().cell() ? mainMse
                        : testMse(trainOne(options.at(length, cell), atLength, context).model(), atLength.test());
                errors.get(cell).add(mse);
                row.append(String.format(Locale.ROOT, "   %s %.4f", cell, mse));
            }
            out.println(row);
        }
        return comparison;
    }

    /** The comparison's errors by cell name, for the picture. */
    static Map<String, double[]> comparedErrors(ObjectNode comparison) {
        Map<String, double[]> errors = new LinkedHashMap<>();
        for (Cell cell : Cell.values()) {
            ArrayNode values = (ArrayNode) comparison.get(cell.name());
            if (values != null) {
                double[] mse = new double[values.size()];
                for (int i = 0; i < mse.length; i++) {
                    mse[i] = values.get(i).asDouble();
                }
                errors.put(cell.name(), mse);
            }
        }
        return errors;
    }

    static double testMse(TrainedNetwork model, DataSet test) {
        return EpochTrainer.regression(model, test).averageMeanSquaredError();
    }

    // ---- Evaluation: held-out squared error of the sums, against answering the mean

    @Override
    public TaskMetrics evaluate(TrainedNetwork model, Options options, Data data, TaskContext context) {
        DataSet test = data.test();
        double mse = testMse(model, test);
        double[] truth = sums(test);
        double[] predicted = lastStep(model, test);
        int within = 0;
        for (int i = 0; i < truth.length; i++) {
            within += Math.abs(predicted[i] - truth[i]) <= 0.1 ? 1 : 0;
        }
        TaskMetrics metrics = new TaskMetrics()
                .put("test_mse", mse)
                .put("trivial_mse", data.trivialMse())
                .put("times_better_than_trivial", data.trivialMse() / mse)
                .put("test_within_0.1", within / (double) truth.length)
                .count("test_sequences", truth.length)
                .floor(QualityFloor.atMost("test_mse", MSE_FLOOR));
        if (model.state().has(COMPARISON)) {
            ObjectNode comparison = (ObjectNode) model.state().get(COMPARISON);
            comparedErrors(comparison).forEach((cell, errors) -> {
                for (int i = 0; i < errors.length; i++) {
                    int length = comparison.get("steps").get(i).asInt();
                    String name = cell.toLowerCase(Locale.ROOT) + "_t" + length + "_mse";
                    metrics.put(name, errors[i]);
                    // the gated cells at the task's own length are held to the floor too; SimpleRnn is not
                    if (length == options.steps() && !cell.equals(Cell.SIMPLE.name())) {
                        metrics.floor(QualityFloor.atMost(name, MSE_FLOOR));
                    }
                }
            });
        }
        return metrics;
    }

    /** The network's answer after each sequence's last step. */
    static double[] lastStep(TrainedNetwork model, DataSet data) {
        INDArray output = model.output(data.getFeatures());
        return output.get(all(), point(0), point(output.size(2) - 1)).toDoubleVector();
    }

    // ---- Demo: held-out sequences, their marked numbers, the sum and the network's answer

    @Override
    public void demo(TrainedNetwork model, Options options, Data data, TaskContext context) {
        PrintStream out = context.out();
        DataSet test = data.test();
        double[] truth = sums(test);
        double[] predicted = lastStep(model, test);
        out.println("Held-out sequences: the marked steps and numbers, their sum and the network's answer:");
        for (int i = 0; i < Math.min(DEMO_SEQUENCES, truth.length); i++) {
            double[] numbers = test.getFeatures().get(point(i), point(0), all()).toDoubleVector();
            double[] markers = test.getFeatures().get(point(i), point(1), all()).toDoubleVector();
            StringBuilder marked = new StringBuilder();
            for (int t = 0; t < markers.length; t++) {
                if (markers[t] == 1) {
                    marked.append(String.format(Locale.ROOT, "%s%.2f at step %d", marked.length() == 0 ? "" : " + ",
                            numbers[t], t + 1));
                }
            }
            out.printf(Locale.ROOT, "  %-34s = %.2f   answered %.3f%n", marked, truth[i], predicted[i]);
        }
    }

    // ---- Prediction from the command line: --input a,b

    @Override
    public PredictExample predictExample() {
        return new PredictExample("0.25,0.5", "two numbers, marked a quarter and three quarters of the way along T steps"
                + " of other random numbers; answers their sum");
    }

    @Override
    public String predict(TrainedNetwork model, Options options, String input) {
        double[] pair = NumberList.parse(input, "--input", 2);
        if (pair.length != 2) {
            throw new BadInputException("--input takes the two numbers to add, e.g. 0.25,0.5; got " + input);
        }
        int steps = options.steps();
        INDArray features = Nd4j.zeros(model.network().params().dataType(), 1, INPUTS, steps);
        Random filler = new Random(options.training().seed());
        for (int t = 0; t < steps; t++) {
            features.putScalar(0, 0, t, filler.nextInt(101) / 100.0);
        }
        int[] at = {steps / 4, steps / 2 + steps / 4};
        for (int i = 0; i < 2; i++) {
            features.putScalar(0, 0, at[i], pair[i]);
            features.putScalar(0, 1, at[i], 1);
        }
        double answer = model.output(features).getDouble(0, 0, steps - 1);
        return String.format(Locale.ROOT, "%s at step %d + %s at step %d of %d: the network answers %.4f (the sum is"
                + " %.4f)", number(pair[0]), at[0] + 1, number(pair[1]), at[1] + 1, steps, answer, pair[0] + pair[1]);
    }

    private static String number(double value) {
        return Double.toString(value);
    }
}
