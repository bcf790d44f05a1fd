package org.rnnlab.tasks;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.deeplearning4j.datasets.datavec.SequenceRecordReaderDataSetIterator.AlignmentMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.evaluation.classification.EvaluationBinary;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.preprocessor.NormalizerStandardize;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.rnnlab.BadInputException;
import org.rnnlab.data.CsvShape;
import org.rnnlab.data.DatasetFolder;
import org.rnnlab.data.FolderLock;
import org.rnnlab.data.IncreasingSumData;
import org.rnnlab.data.Json;
import org.rnnlab.data.LineSequenceCsv;
import org.rnnlab.data.MultiSequenceCsv;
import org.rnnlab.data.NumberList;
import org.rnnlab.nets.EpochTrainer;
import org.rnnlab.nets.TrainedNetwork;
import org.rnnlab.nets.Training;
import org.rnnlab.nets.Updaters;
import org.rnnlab.reference.GradientCheck;
import org.rnnlab.report.QualityFloor;
import org.rnnlab.report.TaskMetrics;

/**
 * Seed 004, first half: read a sequence of 2-D points and say whether the sum of the two
 * coordinates rises at every step (many-to-one binary classification, variable length). One tanh
 * recurrent layer feeds a sigmoid output trained on binary cross-entropy, as the seed's
 * {@code RecurrentLayer(2, 5, 'tanh')} and {@code Layer(5, 1, 'sigmoid')}, with 32 units rather than 5;
 * like the seed, only the output at each sequence's last point counts.
 *
 * <p>The seed trains on its six sequences and shows three more. Here a generated, balanced data set
 * of lengths 2 to 8 does the training and the testing, and the seed's nine sequences are the demo.
 * Lengths differ within a minibatch, so DataVec pads each sequence at its end and masks the padding;
 * the label sits at each sequence's own last step ({@link AlignmentMode#ALIGN_END}).
 *
 * <p>The generated sequences range over sizes from 0.5 to 30, rises from a quarter to one and a half
 * times a sequence's size, ties and falls ({@link IncreasingSumData}). Whether a sum rises does not
 * change when a sequence is moved or stretched, so each sequence is centred on its own mean and
 * divided by its largest deviation before the network sees it ({@link #scaled}): a rise of 0.5 and
 * one of 30 then look alike. The seed's nine sequences are a floor: all must come out right.
 */
public final class IncreasingSumTask extends Task<IncreasingSumTask.Options, IncreasingSumTask.Data> {
    static final int SEQUENCES = 8000;
    static final int MIN_LENGTH = 2;
    static final int MAX_LENGTH = 8;
    static final double TEST_SHARE = 0.2;
    /** The walks of sums (see IncreasingSumData): their sizes, their steps as shares of the size, x1's spread. */
    static final double MIN_SCALE = 0.5;
    static final double MAX_SCALE = 30;
    static final double MIN_RISE = 0.25;
    static final double MAX_RISE = 1.5;
    static final double TIE_SHARE = 1.0 / 3;
    static final double MIN_SPREAD = 0.3;
    static final double MAX_SPREAD = 6;
    static final int INPUTS = 2;
    /** The zip's mark that its network reads sequences scaled by {@link #scaled}; models saved before read them raw. */
    static final String SCALED = "per_sequence_scaling";

    /** The seed's six training sequences and three test sequences, as [step][coordinate]. */
    static final double[][][] SEED_TRAINING = {
        {{1, 3}, {4, 2}, {5, 7}, {-2, 15}},
        {{4, 2}, {1, 3}},
        {{5, 7}, {2, 4}, {7, 7}},
        {{-1, 0}, {2, 1}},
        {{0, -1}, {1, 2}, {2, 0}},
        {{-10, 11}, {2, 0}, {1.5, 1}, {11, -7}, {-4, 10}},
    };
    static final double[][][] SEED_TEST = {
        {{2, 5}, {-30, -1}},
        {{1, 0}, {0, 1}, {1, 0}, {0, 1}},
        {{0, 0}, {1, 2}, {7, 30}},
    };

    /** Runs {@code rnnlab train increasing-sum} with these arguments, e.g. {@code --epochs 5}. */
    public static void main(String[] args) {
        TrainCommandLine.main(new IncreasingSumTask(), args);
    }

    /** Options of {@code rnnlab train increasing-sum}. */
    public record Options(EpochTraining training, @Doc("units in the tanh SimpleRnn layer") int hidden) {
        public Options {
            OptionCheck.inRange("--hidden", hidden, 1, 1024);
        }
    }

    /** The training and test splits, as read back from their CSV files. */
    public record Data(DataSet train, DataSet test) {
    }

    public IncreasingSumTask() {
        super("increasing-sum", "seed 004: does x1+x2 rise at every step of 2 to 8 points? (many-to-one, masked,"
                + " tanh SimpleRnn 32)",
                new Options(new EpochTraining(150, 42, 0.01, 128, null), 32),
                GradientCheck.Labels.LAST_OF_VARIABLE_LENGTH); // 2 to 8 points: no fixed length
        quick(withDefault("epochs", 3));
    }

    // ---- Data: 8000 balanced sequences of 2..8 points of all sizes as CSV, a fifth held out, read back by
    // DataVec; each sequence scaled on its own before the network sees it

    @Override
    public Data data(Options options, TaskContext context) throws IOException {
        EpochTraining training = options.training();
        Path dir = context.dataDir(this);
        IncreasingSumData.Recipe recipe = recipe(training.seed());
        // Locked while generated and read: a concurrent run with another recipe waits instead of
        // swapping the files under this one (docs/robustness.md, "Two runs, one folder").
        try (FolderLock lock = FolderLock.acquire(dir, "its data", context.out())) {
            boolean generated = DatasetFolder.prepare(dir, recipe, LineSequenceCsv.fileNames("train", "test"), into -> {
                IncreasingSumData.Splits splits = IncreasingSumData.generate(recipe);
                write(into, "train", splits.train());
                write(into, "test", splits.test());
            }, context.out());
            if (generated) {
                context.out().printf("generated %s (%d training and %d test sequences of %d to %d points, half of them"
                        + " rising, seed %d)%n", dir, SEQUENCES - recipe.testCount(), recipe.testCount(), MIN_LENGTH,
                        MAX_LENGTH, training.seed());
            }
            return new Data(read(dir, "train"), read(dir, "test"));
        }
    }

    static IncreasingSumData.Recipe recipe(long seed) {
        return new IncreasingSumData.Recipe(seed, SEQUENCES, MIN_LENGTH, MAX_LENGTH, MIN_SCALE, MAX_SCALE, MIN_RISE,
                MAX_RISE, TIE_SHARE, MIN_SPREAD, MAX_SPREAD, TEST_SHARE);
    }

    /**
     * Each sequence of points [n, 2, T] moved to its own mean (over its real steps, as the features
     * mask says) and divided by its largest deviation, so that only its shape is left: x1 + x2 rises
     * after this exactly where it rose before. Padding stays zero; a sequence of one point repeated
     * stays all zeros.
     */
    static INDArray scaled(INDArray features, INDArray mask) {
        long n = features.size(0);
        long steps = features.size(2);
        double[] values = features.dup('c').data().asDouble();
        double[] real = mask == null ? null : mask.dup('c').data().asDouble();
        for (int i = 0; i < n; i++) {
            int count = 0;
            double[] mean = new double[INPUTS];
            for (int t = 0; t < steps; t++) {
                if (real == null || real[(int) (i * steps + t)] != 0) {
                    count++;
                    for (int c = 0; c < INPUTS; c++) {
                        mean[c] += values[(int) ((i * INPUTS + c) * steps + t)];
                    }
                }
            }
            double largest = 0;
            for (int c = 0; c < INPUTS; c++) {
                mean[c] /= Math.max(1, count);
                for (int t = 0; t < steps; t++) {
                    if (real == null || real[(int) (i * steps + t)] != 0) {
                        largest = Math.max(largest, Math.abs(values[(int) ((i * INPUTS + c) * steps + t)] - mean[c]));
                    }
                }
            }
            double divisor = largest > 0 ? largest : 1;
            for (int c = 0; c < INPUTS; c++) {
                for (int t = 0; t < steps; t++) {
                    int at = (int) ((i * INPUTS + c) * steps + t);
                    boolean isReal = real == null || real[(int) (i * steps + t)] != 0;
                    values[at] = isReal ? (values[at] - mean[c]) / divisor : 0;
                }
            }
        }
        return Nd4j.create(values, features.shape(), 'c').castTo(features.dataType());
    }

    /** Whether the model's zip says its network reads sequences scaled by {@link #scaled}. */
    private static boolean readsScaled(TrainedNetwork model) {
        return model.state().path(SCALED).asBoolean(false);
    }

    /** A split as a model of this task reads it: scaled sequence by sequence, unless the model predates that. */
    static DataSet forModel(TrainedNetwork model, DataSet split) {
        if (!readsScaled(model)) {
            return split;
        }
        DataSet copy = split.copy();
        copy.setFeatures(scaled(split.getFeatures(), split.getFeaturesMaskArray()));
        return copy;
    }

    /** Points in DataVec's multi-sequence layout (a block per sequence: x1 line, x2 line), labels one per line. */
    private static void write(Path dir, String split, IncreasingSumData.Split data) throws IOException {
        MultiSequenceCsv.write(LineSequenceCsv.featuresFile(dir, split),
                "one block per sequence: x1 at each step, then x2 at each step", data.byCoordinate());
        LineSequenceCsv.writeLines(LineSequenceCsv.labelsFile(dir, split), "increasing", data.labels());
    }

    /**
     * A whole split: points [n, 2, 8] padded at the end with a features mask, and each label at its
     * sequence's last step with a label mask.
     */
    static DataSet read(Path dir, String split) throws IOException {
        return MultiSequenceCsv.readAll(LineSequenceCsv.featuresFile(dir, split),
                CsvShape.blocks(2, MIN_LENGTH, MAX_LENGTH, "one per point; x1's line, then x2's"),
                LineSequenceCsv.labelsFile(dir, split), CsvShape.rows(1, "1 for rising, 0 for not"),
                AlignmentMode.ALIGN_END);
    }

    // ---- Network: one tanh SimpleRnn, a sigmoid output, binary cross-entropy

    /** Its models carry a normalizer: each coordinate is standardized after the per-sequence scaling. */
    @Override
    protected boolean normalizes() {
        return true;
    }

    @Override
    public MultiLayerConfiguration network(Options options) {
        EpochTraining training = options.training();
        return new NeuralNetConfiguration.Builder()
                .seed(training.seed())
                .updater(Updaters.annealedAdam(training.learningRate(), training.epochs()))
                .weightInit(WeightInit.XAVIER)
                .list()
                .layer(training.recurrentLayer(Activation.TANH).nOut(options.hidden()).build())
                .layer(training.implementation().rnnOutput(LossFunction.XENT).nOut(1).activation(Activation.SIGMOID).build())
                .setInputType(InputType.recurrent(INPUTS))
                .build();
    }

    @Override
    public NetworkUnderCheck networkUnderCheck() {
        // The longest sequence: the check masks shorter ones as the data does.
        return new NetworkUnderCheck(network(defaultOptions()), MAX_LENGTH, GradientCheck.Labels.LAST_OF_VARIABLE_LENGTH);
    }

    // ---- Training

    @Override
    public Training train(Options options, Data data, TaskContext context) {
        EpochTraining training = options.training();
        DataSet train = data.train();
        DataSet test = data.test();
        MultiLayerNetwork network = newNetwork(options, context);
        TrainedNetwork unfitted = new TrainedNetwork(network, null, Json.MAPPER.createObjectNode().put(SCALED, true));
        DataSet scaledTrain = forModel(unfitted, train);
        DataSet scaledTest = forModel(unfitted, test);
        // Then the scaled coordinates standardized (fitted on the training points; DL4J leaves the masked
        // padding out), labels left as 0/1.
        NormalizerStandardize normalizer = new NormalizerStandardize();
        normalizer.fit(scaledTrain);
        TrainedNetwork model = new TrainedNetwork(network, normalizer, unfitted.state());
        return EpochTrainer.train(name(), model, scaledTrain, training.batchSize(), training.seed(),
                training.epochs(), EpochTrainer.lossAndAccuracy(scaledTrain, scaledTest, "test"),
                context.showProgress());
    }

    // ---- Evaluation: held-out accuracy at each sequence's last step (DL4J's EvaluationBinary, masked)

    @Override
    public TaskMetrics evaluate(TrainedNetwork model, Options options, Data data, TaskContext context) {
        DataSet test = forModel(model, data.test());
        EvaluationBinary evaluation = EpochTrainer.binary(model, test);
        int seedRight = 0;
        for (double[][][] group : List.of(SEED_TRAINING, SEED_TEST)) {
            for (double[][] points : group) {
                seedRight += IncreasingSumData.increasing(points) == probability(model, points) > 0.5 ? 1 : 0;
            }
        }
        int seedCount = SEED_TRAINING.length + SEED_TEST.length;
        return new TaskMetrics()
                .put("test_accuracy", evaluation.accuracy(0))
                .put("test_loss", model.score(test))
                .count("test_false_positives", evaluation.falsePositives(0))
                .count("test_false_negatives", evaluation.falseNegatives(0))
                .count("test_sequences", evaluation.totalCount(0))
                .count("seed_sequences_right", seedRight)
                .check("every_seed_sequence_right", seedRight == seedCount)
                .floor(QualityFloor.atLeast("test_accuracy", 0.98))
                .floor(QualityFloor.yes("every_seed_sequence_right"));
    }

    // ---- Demo: the seed's own sequences, the rule's label and the network's probability

    @Override
    public void demo(TrainedNetwork model, Options options, Data data, TaskContext context) {
        PrintStream out = context.out();
        out.println("The seed's sequences: the sums x1+x2, the rule's label and the network's probability of rising:");
        int agree = 0;
        for (double[][][] group : List.of(SEED_TRAINING, SEED_TEST)) {
            out.println(group == SEED_TRAINING ? "  the seed's training sequences (rnnlab trains on its own data)"
                    : "  the seed's test sequences");
            for (double[][] points : group) {
                boolean rising = IncreasingSumData.increasing(points);
                double p = probability(model, points);
                out.printf(Locale.ROOT, "    %-42s sums %-18s label %d  predicted %.3f%n", pointsText(points),
                        sumsText(points), rising ? 1 : 0, p);
                agree += rising == p > 0.5 ? 1 : 0;
            }
        }
        out.printf("The network agrees with the rule on %d of %d.%n", agree, SEED_TRAINING.length + SEED_TEST.length);
    }

    /** The network's probability that the sum rises at every step of one sequence of points [step][coordinate]. */
    static double probability(TrainedNetwork model, double[][] points) {
        int steps = points.length;
        INDArray features = Nd4j.zeros(model.network().params().dataType(), 1, INPUTS, steps);
        for (int t = 0; t < steps; t++) {
            for (int c = 0; c < INPUTS; c++) {
                features.putScalar(new long[] {0, c, t}, points[t][c]);
            }
        }
        INDArray read = readsScaled(model) ? scaled(features, null) : features;
        return model.output(read).getDouble(0, 0, steps - 1);
    }

    private static String pointsText(double[][] points) {
        List<String> text = new ArrayList<>();
        for (double[] point : points) {
            text.add("(" + number(point[0]) + "," + number(point[1]) + ")");
        }
        return String.join(" ", text);
    }

    private static String sumsText(double[][] points) {
        List<String> text = new ArrayList<>();
        for (double[] point : points) {
            text.add(number(point[0] + point[1]));
        }
        return String.join(" ", text);
    }

    /** Whole numbers without a decimal point, as the seed writes its points. */
    private static String number(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
    }

    // ---- Prediction from the command line: --input "1,3;4,2;5,7;-2,15"

    @Override
    public PredictExample predictExample() {
        return new PredictExample("1,3;4,2;5,7;-2,15", "points x1,x2 separated by ';'; answers whether x1 + x2 rises"
                + " at every step");
    }

    @Override
    public String predict(TrainedNetwork model, Options options, String input) {
        double[][] points = parsePoints(input);
        double p = probability(model, points);
        boolean rule = IncreasingSumData.increasing(points);
        String note = points.length >= MIN_LENGTH && points.length <= MAX_LENGTH ? ""
                : String.format(" (trained on %d to %d points, given %d)", MIN_LENGTH, MAX_LENGTH, points.length);
        return String.format(Locale.ROOT, "probability that x1+x2 rises at every step: %.4f, predicted %s"
                + " (sums %s: the rule says %s)%s", p, p > 0.5 ? "rising" : "not rising", sumsText(points),
                rule ? "rising" : "not rising", note);
    }

    /** Points typed as {@code x1,x2;x1,x2;...}. */
    static double[][] parsePoints(String input) {
        String example = "; give points as x1,x2;x1,x2;... such as \"1,3;4,2;5,7\"";
        if (input == null || input.isBlank()) {
            throw new BadInputException("--input is empty" + example);
        }
        String[] cells = input.split(";", -1);
        if (cells.length > 1000) {
            throw new BadInputException("--input has " + cells.length + " points; at most 1000 are allowed");
        }
        double[][] points = new double[cells.length][];
        for (int t = 0; t < cells.length; t++) {
            points[t] = NumberList.parse(cells[t], "--input point " + (t + 1), 2);
            if (points[t].length != 2) {
                throw new BadInputException("--input point " + (t + 1) + " has " + points[t].length
                        + " value(s), not 2" + example);
            }
        }
        return points;
    }
}
