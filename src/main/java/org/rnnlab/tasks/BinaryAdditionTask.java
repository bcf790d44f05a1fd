package org.rnnlab.tasks;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.evaluation.classification.EvaluationBinary;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.rnnlab.BadInputException;
import org.rnnlab.data.BinaryAdditionData;
import org.rnnlab.data.BinaryAdditionData.Pair;
import org.rnnlab.data.DatasetFolder;
import org.rnnlab.data.FolderLock;
import org.rnnlab.nets.EpochTrainer;
import org.rnnlab.nets.TrainedNetwork;
import org.rnnlab.nets.Training;
import org.rnnlab.nets.Updaters;
import org.rnnlab.reference.GradientCheck;
import org.rnnlab.report.QualityFloor;
import org.rnnlab.report.TaskMetrics;

/**
 * Seed 002, first half: add two numbers below 128. At step t the network reads bit t of a and of
 * b, least significant first, and outputs bit t of a + b (many-to-many, 8 steps). Addition by
 * hand works the same way: the carry is the one thing to remember from one column to the next,
 * and a recurrent layer of 16 sigmoid units learns to hold it. A sigmoid output reads each bit
 * off as a probability, trained on binary cross-entropy.
 *
 * <p>The seed has no biases at all. DL4J's layers always have one; {@code --hidden-bias=false} and
 * {@code --output-bias=false} reproduce the seed by initialising it to zero and updating it with a
 * learning rate of zero, so it stays exactly zero. The default trains both, which adds every pair
 * sooner and ends at a lower loss (docs/tasks.md, "Why the defaults are what they are"). Both meet the floor.
 */
public final class BinaryAdditionTask extends Task<BinaryAdditionTask.Options, BinaryAdditionTask.Data> {
    static final int BITS = BinaryAdditionData.BITS;
    static final int LIMIT = BinaryAdditionData.OPERAND_LIMIT;
    static final String TRAIN = "train";
    static final String ALL_PAIRS = BinaryAdditionData.ALL_PAIRS;
    /** The ten additions seed 002 happens to print while it trains; the demo asks them again. */
    static final int[][] SEED_EXAMPLES = {{123, 67}, {38, 42}, {37, 122}, {124, 62}, {0, 108}, {76, 64},
        {47, 0}, {1, 10}, {74, 120}, {52, 22}};
    static final int DEMO_WRONG_SUMS = 10;

    /** Runs {@code rnnlab train binary-addition} with these arguments, e.g. {@code --epochs 3}. */
    public static void main(String[] args) {
        TrainCommandLine.main(new BinaryAdditionTask(), args);
    }

    /** Options of {@code rnnlab train binary-addition}. */
    public record Options(
            EpochTraining training,
            @Doc("random pairs a, b in 0..127 to train on (drawn with replacement, as the seed draws them)")
            int trainingPairs,
            @Doc("units in the sigmoid SimpleRnn layer") int hidden,
            @Doc("train a bias in the hidden layer (false keeps it at zero, as seed 002 does)") boolean hiddenBias,
            @Doc("train a bias in the output layer (false keeps it at zero, as seed 002 does)") boolean outputBias,
            @Doc("print one random addition the seed's way (error, predicted bits, true bits, a + b) every N epochs; 0 never")
            int printEvery) {

        public Options {
            OptionCheck.inRange("--training-pairs", trainingPairs, 1, 1_000_000);
            OptionCheck.inRange("--hidden", hidden, 1, 1024);
            OptionCheck.inRange("--print-every", printEvery, 0, 100_000);
        }
    }

    /** The random training pairs and all 128 x 128 pairs, as read back from their CSV files. */
    public record Data(DataSet train, DataSet allPairs) {
    }

    public BinaryAdditionTask() {
        // Adam at 0.05 adds every pair exactly within 2 or 3 of the 8 epochs
        // (docs/tasks.md, "Why the defaults are what they are").
        super("binary-addition", "seed 002: add two numbers below 128 bit by bit, least significant first"
                + " (sigmoid SimpleRnn 16)",
                new Options(new EpochTraining(8, 42, 0.05, 32, null), 4000, 16, true, true, 1),
                BITS, GradientCheck.Labels.EVERY_STEP);
        quick(withDefault("epochs", 1));
    }

    // ---- Data: random training pairs and all 128 x 128 pairs as CSV, read back by DataVec

    @Override
    public Data data(Options options, TaskContext context) throws IOException {
        Path dir = context.dataDir(this);
        BinaryAdditionData.Recipe recipe = recipe(options);
        // Locked while generated and read: a concurrent run with another recipe waits instead of
        // swapping the files under this one (docs/robustness.md, "Two runs, one folder").
        try (FolderLock lock = FolderLock.acquire(dir, "its data", context.out())) {
            boolean generated = DatasetFolder.prepare(dir, recipe, BinaryAdditionData.fileNames(TRAIN, ALL_PAIRS),
                    into -> {
                        BinaryAdditionData.write(into, TRAIN, BinaryAdditionData.trainingPairs(recipe));
                        BinaryAdditionData.write(into, ALL_PAIRS, BinaryAdditionData.allPairs());
                    }, context.out());
            if (generated) {
                context.out().printf("generated %s (%d random training pairs, seed %d, and all %d pairs)%n", dir,
                        options.trainingPairs(), options.training().seed(), LIMIT * LIMIT);
            }
            return new Data(read(dir, TRAIN), read(dir, ALL_PAIRS));
        }
    }

    static BinaryAdditionData.Recipe recipe(Options options) {
        return new BinaryAdditionData.Recipe(options.training().seed(), options.trainingPairs());
    }

    /** Inputs [n, 2, 8] and sum bits [n, 1, 8], as they are stored. */
    static DataSet read(Path dir, String split) throws IOException {
        return BinaryAdditionData.read(dir, split);
    }

    /** The same encoding built in memory, for pairs typed or picked rather than stored. */
    static INDArray features(List<Pair> pairs, DataType type) {
        double[] values = new double[pairs.size() * 2 * BITS];
        for (int i = 0; i < pairs.size(); i++) {
            // 'c' order [n, 2, 8]: a's 8 bits, then b's, for each pair in turn.
            System.arraycopy(BinaryAdditionData.bits(pairs.get(i).a()), 0, values, (2 * i) * BITS, BITS);
            System.arraycopy(BinaryAdditionData.bits(pairs.get(i).b()), 0, values, (2 * i + 1) * BITS, BITS);
        }
        return Nd4j.create(values, new long[] {pairs.size(), 2, BITS}, 'c').castTo(type);
    }

    // ---- Network: sigmoid SimpleRnn 2 -> 16, sigmoid output per step, binary cross-entropy

    @Override
    public MultiLayerConfiguration network(Options options) {
        EpochTraining training = options.training();
        BaseRecurrentLayer.Builder<?> rnn = training.recurrentLayer(Activation.SIGMOID).nOut(options.hidden());
        if (!options.hiddenBias()) {
            // Sgd with rate 0, not NoOp: DL4J's NoOp passes the raw gradient through as the update.
            rnn.biasInit(0).biasUpdater(new Sgd(0.0));
        }
        RnnOutputLayer.Builder output = training.implementation().rnnOutput(LossFunction.XENT).nOut(1)
                .activation(Activation.SIGMOID);
        if (!options.outputBias()) {
            output.biasInit(0).biasUpdater(new Sgd(0.0));
        }
        return new NeuralNetConfiguration.Builder()
                .seed(training.seed())
                .updater(Updaters.annealedAdam(training.learningRate(), training.epochs()))
                .weightInit(WeightInit.XAVIER)
                .list()
                .layer(rnn.build())
                .layer(output.build())
                .setInputType(InputType.recurrent(2))
                .build();
    }

    // ---- Training, with the seed's four-line printout every few epochs

    @Override
    public Training train(Options options, Data data, TaskContext context) throws IOException {
        EpochTraining training = options.training();
        DataSet train = data.train();
        DataSet allPairs = data.allPairs();
        MultiLayerNetwork network = newNetwork(options, context);
        // A live progress bar redraws the line above the cursor (seen under script(1)), which would
        // overwrite the last printed line; so while it runs, the printouts wait until it closes.
        ByteArrayOutputStream held = new ByteArrayOutputStream();
        PrintStream printouts = context.showProgress() ? new PrintStream(held, true, StandardCharsets.UTF_8)
                : context.out();
        // No normalizer: the inputs are 0/1 bits already, and the labels are what a sigmoid outputs.
        Training trained = EpochTrainer.train(name(), TrainedNetwork.withoutNormalizer(network), train,
                training.batchSize(), training.seed(), training.epochs(),
                measureAndPrint(train, allPairs, options, printouts), context.showProgress());
        context.out().print(held.toString(StandardCharsets.UTF_8));
        return trained;
    }

    /**
     * After each epoch: the loss on the training pairs (DL4J's score: binary cross-entropy summed
     * over the 8 bits, averaged over pairs) and the share of all 16384 pairs added exactly. Every {@code --print-every} epochs it also prints one random addition
     * the way the seed does.
     */
    private static EpochTrainer.EpochMeasure measureAndPrint(DataSet train, DataSet allPairs, Options options,
            PrintStream out) {
        EpochTraining training = options.training();
        // A stream of its own (seed + 1), so that the printed pairs are not the first training pairs again.
        Random pick = new Random(training.seed() + 1);
        int[] epoch = {0};
        return model -> {
            epoch[0]++;
            INDArray output = model.output(allPairs.getFeatures());
            Map<String, Double> values = new LinkedHashMap<>();
            values.put("train_xent", model.network().score(train));
            values.put("exact_sums", exactSums(output, allPairs.getLabels()));
            if (options.printEvery() > 0 && epoch[0] % options.printEvery() == 0) {
                int index = pick.nextInt(LIMIT * LIMIT);
                Pair pair = new Pair(index / LIMIT, index % LIMIT);
                out.printf(Locale.ROOT, "after epoch %d of %d:%n%s", epoch[0], training.epochs(),
                        seedPrintout(pair, sequence(output, index)));
            }
            return values;
        };
    }

    /**
     * The seed's four lines for one addition: its error (the sum over the bits of |true - output|),
     * the predicted and the true bits, most significant first, and the sum the predicted bits spell.
     */
    static String seedPrintout(Pair pair, double[] output) {
        double[] truth = BinaryAdditionData.bits(pair.sum());
        double error = 0;
        for (int t = 0; t < BITS; t++) {
            error += Math.abs(truth[t] - output[t]);
        }
        return String.format(Locale.ROOT, "  error      %.4f%n  predicted  %s%n  true       %s%n  %d + %d = %d%n",
                error, BinaryAdditionData.mostSignificantFirst(output),
                BinaryAdditionData.mostSignificantFirst(truth), pair.a(), pair.b(), BinaryAdditionData.decode(output));
    }

    /** The 8 outputs (least significant first) of sequence {@code i} of [n, 1, 8] outputs. */
    static double[] sequence(INDArray outputs, int i) {
        return outputs.get(point(i), point(0), all()).toDoubleVector();
    }

    /** For each sequence of [n, 1, 8] outputs and labels: whether all 8 rounded outputs equal the true bits. */
    static boolean[] exact(INDArray outputs, INDArray labels) {
        INDArray wrongBits = outputs.gte(0.5).castTo(labels.dataType()).neq(labels).castTo(DataType.INT).sum(1, 2);
        int[] wrong = wrongBits.toIntVector();
        boolean[] exact = new boolean[wrong.length];
        for (int i = 0; i < wrong.length; i++) {
            exact[i] = wrong[i] == 0;
        }
        return exact;
    }

    /** The share of sequences whose 8 rounded outputs all equal the true bits. */
    static double exactSums(INDArray outputs, INDArray labels) {
        return share(exact(outputs, labels));
    }

    private static double share(boolean[] exact) {
        int count = 0;
        for (boolean e : exact) {
            count += e ? 1 : 0;
        }
        return (double) count / exact.length;
    }

    /** The share of all bits (every step of every sequence) that the rounded outputs get right, by DL4J's EvaluationBinary. */
    static double bitAccuracy(INDArray outputs, INDArray labels) {
        EvaluationBinary bits = new EvaluationBinary(); // threshold 0.5; time series are flattened to one row per step
        bits.eval(labels, outputs);
        return bits.accuracy(0);
    }

    // ---- Evaluation: every one of the 128 x 128 additions

    @Override
    public TaskMetrics evaluate(TrainedNetwork model, Options options, Data data, TaskContext context) {
        DataSet allPairs = data.allPairs();
        INDArray output = model.output(allPairs.getFeatures());
        INDArray labels = allPairs.getLabels();

        // Pairs never drawn for training show whether the network adds or remembers.
        Set<Pair> seen = new HashSet<>(BinaryAdditionData.trainingPairs(recipe(options)));
        List<Pair> pairs = BinaryAdditionData.allPairs();
        boolean[] exact = exact(output, labels);
        int unseen = 0;
        int unseenExact = 0;
        for (int i = 0; i < pairs.size(); i++) {
            if (!seen.contains(pairs.get(i))) {
                unseen++;
                unseenExact += exact[i] ? 1 : 0;
            }
        }
        double error = output.sub(labels).norm1Number().doubleValue() / pairs.size();

        return new TaskMetrics()
                .put("exact_sums", share(exact))
                .put("bit_accuracy", bitAccuracy(output, labels))
                .put("unseen_exact_sums", unseen == 0 ? 1.0 : (double) unseenExact / unseen)
                .put("mean_error_per_sum", error)
                .put("all_pairs_xent", model.network().score(allPairs))
                .count("pairs", pairs.size())
                .count("unseen_pairs", unseen)
                .floor(QualityFloor.atLeast("exact_sums", 1.0));
    }

    // ---- Demo: the additions the seed printed, asked again, and any sum still wrong

    @Override
    public void demo(TrainedNetwork model, Options options, Data data, TaskContext context) {
        PrintStream out = context.out();
        List<Pair> examples = new ArrayList<>();
        for (int[] example : SEED_EXAMPLES) {
            examples.add(new Pair(example[0], example[1]));
        }
        INDArray output = model.output(features(examples, model.network().params().dataType()));
        out.println("The additions seed 002 printed while it trained, asked of the trained network:");
        out.println("      a +   b   predicted bits    true bits         sum");
        for (int i = 0; i < examples.size(); i++) {
            Pair pair = examples.get(i);
            double[] predicted = sequence(output, i);
            int sum = BinaryAdditionData.decode(predicted);
            out.printf(Locale.ROOT, "    %3d + %3d   %s   %s   %3d %s%n", pair.a(), pair.b(),
                    BinaryAdditionData.mostSignificantFirst(predicted),
                    BinaryAdditionData.mostSignificantFirst(BinaryAdditionData.bits(pair.sum())), sum,
                    sum == pair.sum() ? "right" : "WRONG (" + pair.sum() + ")");
        }

        // All pairs again, in the order of the stored file (BinaryAdditionData.allPairs()).
        List<Pair> pairs = BinaryAdditionData.allPairs();
        double[][] sums = model.output(data.allPairs().getFeatures()).reshape('c', pairs.size(), BITS).toDoubleMatrix();
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i++) {
            if (BinaryAdditionData.decode(sums[i]) != pairs.get(i).sum()) {
                wrong.add(pairs.get(i).a() + " + " + pairs.get(i).b());
            }
        }
        out.printf("Of all %d additions a + b (a, b in 0..%d), %d come out wrong%s%n", pairs.size(), LIMIT - 1,
                wrong.size(), wrong.isEmpty() ? "." : ", e.g. " + String.join(", ",
                        wrong.subList(0, Math.min(DEMO_WRONG_SUMS, wrong.size()))));
    }

    // ---- Prediction from the command line: --input 47,35

    @Override
    public PredictExample predictExample() {
        return new PredictExample("47,35", "a,b in 0.." + (LIMIT - 1) + "; answers a + b, bit by bit");
    }

    @Override
    public String predict(TrainedNetwork model, Options options, String input) {
        Pair pair = parsePair(input);
        INDArray output = model.output(features(List.of(pair), model.network().params().dataType()));
        double[] bits = sequence(output, 0);
        int sum = BinaryAdditionData.decode(bits);
        return String.format(Locale.ROOT, "%d + %d: predicted bits %s (most significant first) = %d%s", pair.a(),
                pair.b(), BinaryAdditionData.mostSignificantFirst(bits), sum,
                sum == pair.sum() ? "" : " (wrong: the sum is " + pair.sum() + ")");
    }

    /** "a,b" with two whole numbers in 0..127. */
    static Pair parsePair(String input) {
        String usage = "--input takes two whole numbers in 0.." + (LIMIT - 1) + " separated by a comma, such as 47,35";
        String[] cells = input == null ? new String[0] : input.split(",", -1);
        if (cells.length != 2) {
            throw new BadInputException(usage + "; got '" + input + "'");
        }
        int[] numbers = new int[2];
        for (int i = 0; i < 2; i++) {
            try {
                numbers[i] = Integer.parseInt(cells[i].strip());
            } catch (NumberFormatException e) {
                throw new BadInputException(usage + "; '" + cells[i].strip() + "' is not a whole number");
            }
            if (numbers[i] < 0 || numbers[i] >= LIMIT) {
                throw new BadInputException(usage + "; " + numbers[i] + " is out of range");
            }
        }
        return new Pair(numbers[0], numbers[1]);
    }
}
