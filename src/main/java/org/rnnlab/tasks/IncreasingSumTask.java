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
import org.rnnlab.data.DatasetFolder;
import org.rnnlab.data.IncreasingSumData;
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
 * recurrent layer of 5 units feeds a sigmoid output trained on binary cross-entropy, as the seed's
 * {@code RecurrentLayer(2, 5, 'tanh')} and {@code Layer(5, 1, 'sigmoid')}; like the seed, only the
 * output at each sequence's last point counts.
 *
 * <p>The seed trains on its six sequences and shows three more. Here a generated, balanced data set
 * of lengths 2 to 8 does the training and the testing, and the seed's nine sequences are the demo.
 * Lengths differ within a minibatch, so DataVec pads each sequence at its end and masks the padding;
 * the label sits at each sequence's own last step ({@link AlignmentMode#ALIGN_END}).
 *
 * <p>Rising sequences in the generated data rise by at least 4 a step (a smaller least rise made
 * the 5-unit network miss the floor or scrape past it; see {@link IncreasingSumData}), so the seed's
 * own sequences with rises of 0.5 to 2 lie outside what it learns, and the demo says so.
 */
public final class IncreasingSumTask extends Task<IncreasingSumTask.Options, IncreasingSumTask.Data> {
    static final int SEQUENCES = 8000;
    static final int MIN_LENGTH = 2;
    static final int MAX_LENGTH = 8;
    static final double TEST_SHARE = 0.2;
    /** The walks of sums (see IncreasingSumData): centred on zero give or take 5, rises of 4..6, failing steps of -6..0; x1 in -5..5. */
    static final int OFFSET = 5;
    static final int MIN_RISE = 4;
    static final int MAX_STEP = 6;
    static final int SPREAD = 5;
    static final int INPUTS = 2;

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
                + " tanh SimpleRnn 5)",
                new Options(new EpochTraining(20, 42, 0.08, 128, null), 5),
                GradientCheck.Labels.LAST_OF_VARIABLE_LENGTH); // 2 to 8 points: no fixed length
        quick(withDefault("epochs", 3));
    }

    // ---- Data: 8000 balanced sequences of 2..8 points as CSV, a fifth held out, read back by DataVec

    @Override
    public Data data(Options options, TaskContext context) throws IOException {
        EpochTraining training = options.training();
        Path dir = context.dataDir(this);
        IncreasingSumData.Recipe recipe = new IncreasingSumData.Recipe(training.seed(), SEQUENCES, MIN_LENGTH,
                MAX_LENGTH, OFFSET, MIN_RISE, MAX_STEP, SPREAD, TEST_SHARE);
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
                LineSequenceCsv.reader(LineSequenceCsv.labelsFile(dir, split)), AlignmentMode.ALIGN_END);
    }

    // ---- Network: one tanh SimpleRnn, a sigmoid output, binary cross-entropy

    @Override
    public MultiLayerConfiguration network(Options options) {
        EpochTraining training = options.training();
        return new NeuralNetConfiguration.Builder()
                .seed(training.seed())
                .updater(Updaters.annealedAdam(training.learningRate(), training.epochs()))
                .weightInit(WeightInit.XAVIER)
                .list()
                .layer(training.implementation().simpleRnn().nOut(options.hidden()).activation(Activation.TANH).build())
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
        // Coordinates standardized (fitted on the training points; DL4J leaves the masked padding out),
        // labels left as 0/1.
        NormalizerStandardize normalizer = new NormalizerStandardize();
        normalizer.fit(train);
        return EpochTrainer.train(name(), new TrainedNetwork(network, normalizer), train, training.batchSize(),
                training.seed(), training.epochs(), EpochTrainer.lossAndAccuracy(train, test, "test"),
                context.showProgress());
    }

    // ---- Evaluation: held-out accuracy at each sequence's last step (DL4J's EvaluationBinary, masked)

    @Override
    public TaskMetrics evaluate(TrainedNetwork model, Options options, Data data, TaskContext context) {
        DataSet test = data.test();
        EvaluationBinary evaluation = EpochTrainer.binary(model, test);
        return new TaskMetrics()
                .put("test_accuracy", evaluation.accuracy(0))
                .put("test_loss", model.score(test))
                .count("test_false_positives", evaluation.falsePositives(0))
                .count("test_false_negatives", evaluation.falseNegatives(0))
                .count("test_sequences", evaluation.totalCount(0))
                .floor(QualityFloor.atLeast("test_accuracy", 0.98));
    }

    // ---- Demo: the seed's own sequences, the rule's label and the network's probability

    @Override
    public void demo(TrainedNetwork model, Options options, Data data, TaskContext context) {
        PrintStream out = context.out();
        out.println("The seed's sequences: the sums x1+x2, the rule's label and the network's probability of rising:");
        int agree = 0;
        double smallestMissedRise = Double.POSITIVE_INFINITY;
        for (double[][][] group : List.of(SEED_TRAINING, SEED_TEST)) {
            out.println(group == SEED_TRAINING ? "  the seed's training sequences (rnnlab trains on its own data)"
                    : "  the seed's test sequences");
            for (double[][] points : group) {
                boolean rising = IncreasingSumData.increasing(points);
                double p = probability(model, points);
                out.printf(Locale.ROOT, "    %-42s sums %-18s label %d  predicted %.3f%n", pointsText(points),
                        sumsText(points), rising ? 1 : 0, p);
                agree += rising == p > 0.5 ? 1 : 0;
                if (rising && p <= 0.5) {
                    smallestMissedRise = Math.min(smallestMissedRise, smallestRise(points));
                }
            }
        }
        out.printf("The network agrees with the rule on %d of %d.%n", agree, SEED_TRAINING.length + SEED_TEST.length);
        if (smallestMissedRise < MIN_RISE) {
            out.printf(Locale.ROOT, "(The generated data rises by %d to %d a step; the rising sequences it misses rise"
                    + " by as little as %s.)%n", MIN_RISE, MAX_STEP, number(smallestMissedRise));
        }
    }

    private static double smallestRise(double[][] points) {
        double smallest = Double.POSITIVE_INFINITY;
        for (int t = 1; t < points.length; t++) {
            smallest = Math.min(smallest, points[t][0] + points[t][1] - points[t - 1][0] - points[t - 1][1]);
        }
        return smallest;
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
        return model.output(features).getDouble(0, 0, steps - 1);
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
