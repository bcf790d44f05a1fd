package org.rnnlab.tasks;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.deeplearning4j.datasets.datavec.SequenceRecordReaderDataSetIterator.AlignmentMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.evaluation.regression.RegressionEvaluation;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.preprocessor.NormalizerStandardize;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.rnnlab.BadInputException;
import org.rnnlab.data.CsvShape;
import org.rnnlab.data.BinarySumData;
import org.rnnlab.data.BinarySumData.Split;
import org.rnnlab.data.BinarySumData.Target;
import org.rnnlab.data.DatasetFolder;
import org.rnnlab.data.FolderLock;
import org.rnnlab.data.LineSequenceCsv;
import org.rnnlab.data.NumberList;
import org.rnnlab.nets.EpochTrainer;
import org.rnnlab.nets.TrainedNetwork;
import org.rnnlab.nets.Training;
import org.rnnlab.nets.Updaters;
import org.rnnlab.plots.Picture;
import org.rnnlab.plots.WeightHeatMap;
import org.rnnlab.reference.GradientCheck;
import org.rnnlab.report.QualityFloor;
import org.rnnlab.report.TaskMetrics;

/**
 * Seed 000, "a very simple recurrent network": read 7 random bits one per time step and, at the
 * last step only, predict their sum (many-to-one regression). Two stacked sigmoid recurrent layers
 * of 6 and 4 units feed an identity output trained on squared error.
 *
 * <p>The seed's hidden layers compute {@code z = W h_prev_layer + Whh h_prev_step} with the bias
 * commented out. DL4J's SimpleRnn always has a bias vector; {@code --hidden-bias=false} reproduces the
 * seed by initialising it to zero and updating it with a learning rate of zero, so it stays exactly zero. The
 * default trains the bias, as most networks do; both variants meet the floors with the other defaults.
 */
public final class BinarySumTask extends Task<BinarySumTask.Options, BinarySumTask.Data> {
    static final int SEQUENCES = 600;
    static final int BITS = 7;
    static final double VALIDATION_SHARE = 0.33;
    static final int DEMO_SEQUENCES = 15;

    /** Runs {@code rnnlab train binary-sum} with these arguments, e.g. {@code --epochs 50}. */
    public static void main(String[] args) {
        TrainCommandLine.main(new BinarySumTask(), args);
    }

    /** Options of {@code rnnlab train binary-sum}. */
    public record Options(
            EpochTraining training,
            @Doc("what to predict from the bits: SUM, or LAST (the last bit: seed 000's simpler variant)") Target target,
            @Doc("sizes of the stacked sigmoid SimpleRnn layers, input side first") int[] hidden,
            @Doc("train a bias in the hidden layers (false keeps it at zero, as seed 000 does)") boolean hiddenBias,
            @Doc("PATTERNS: a third of each sum's bit patterns held out and never trained on; SEED: seed 000's"
                    + " 600 random draws split 402/198, where nearly every validation sequence was also trained on")
            Split split) {

        public Options {
            if (target == null) {
                throw new BadInputException("--target must be SUM or LAST");
            }
            OptionCheck.sizes("--hidden", hidden, 8, 1024);
            hidden = hidden.clone();
            split = split == null ? Split.SEED : split; // zips saved before the choice were trained on the seed's split
        }
    }

    /** The training and validation splits, as read back from their CSV files. */
    public record Data(DataSet train, DataSet validation) {
    }

    public BinarySumTask() {
        // Adam 0.03 meets both floors sooner than 0.01, and batch 64 gained nothing
        // (docs/tasks.md, "Why the defaults are what they are").
        super("binary-sum", "seed 000: predict the sum of 7 random bits (many-to-one regression, stacked sigmoid"
                + " SimpleRnn [6,4])",
                new Options(new EpochTraining(300, 42, 0.03, 32, null), Target.SUM, new int[] {6, 4}, true, Split.PATTERNS),
                BITS, GradientCheck.Labels.LAST_STEP_MASK);
        quick(withDefault("epochs", 5));
    }

    // ---- Data: seeded sequences as CSV, read back by DataVec with the label at the last step; by
    // default the validation patterns are never trained on

    @Override
    public Data data(Options options, TaskContext context) throws IOException {
        EpochTraining training = options.training();
        Path dir = context.dataDir(this);
        BinarySumData.Recipe recipe = new BinarySumData.Recipe(training.seed(), SEQUENCES, BITS, options.target(),
                VALIDATION_SHARE, options.split());
        // Locked while generated and read: a concurrent run with another recipe waits instead of
        // swapping the files under this one (docs/robustness.md, "Two runs, one folder").
        try (FolderLock lock = FolderLock.acquire(dir, "its data", context.out())) {
            boolean generated = DatasetFolder.prepare(dir, recipe, LineSequenceCsv.fileNames("train", "validation"), into -> {
                BinarySumData.Splits splits = BinarySumData.generate(recipe);
                String labelHeader = options.target().name().toLowerCase(Locale.ROOT);
                LineSequenceCsv.write(into, "train", splits.train(), LineSequenceCsv.header("bit", BITS), labelHeader);
                LineSequenceCsv.write(into, "validation", splits.validation(), LineSequenceCsv.header("bit", BITS),
                        labelHeader);
            }, context.out());
            Data data = new Data(read(dir, "train"), read(dir, "validation"));
            if (generated) {
                context.out().printf("generated %s (%d training sequences of %d distinct patterns, %d validation"
                        + " sequences of %d, %s split, seed %d)%n", dir, data.train().numExamples(),
                        BinarySumData.distinctPatterns(patterns(data.train())), data.validation().numExamples(),
                        BinarySumData.distinctPatterns(patterns(data.validation())), options.split(), training.seed());
            }
            return data;
        }
    }

    /** The bit patterns of a split, one row per sequence. */
    static List<double[]> patterns(DataSet split) {
        return java.util.Arrays.asList(split.getFeatures().reshape(split.numExamples(), BITS).toDoubleMatrix());
    }

    /** A whole split: bits [n, 1, 7]; the single label sits at the last step (ALIGN_END adds the label mask). */
    static DataSet read(Path dir, String split) throws IOException {
        return LineSequenceCsv.readAll(dir, split, AlignmentMode.ALIGN_END, CsvShape.rows(BITS, "one per bit"),
                CsvShape.rows(1, "the sequence's label"));
    }

    // ---- Network: stacked sigmoid SimpleRnn layers, identity output, squared error

    /** Its models carry a normalizer: the bits and the sums are standardized, the sums scaled back. */
    @Override
    protected boolean normalizes() {
        return true;
    }

    @Override
    public MultiLayerConfiguration network(Options options) {
        EpochTraining training = options.training();
        NeuralNetConfiguration.ListBuilder layers = new NeuralNetConfiguration.Builder()
                .seed(training.seed())
                .updater(Updaters.stepDecayAdam(training.learningRate(), training.epochs()))
                .weightInit(WeightInit.XAVIER)
                .list();
        for (int size : options.hidden()) {
            BaseRecurrentLayer.Builder<?> rnn = training.recurrentLayer(Activation.SIGMOID).nOut(size);
            if (!options.hiddenBias()) {
                // Sgd with rate 0, not NoOp: DL4J's NoOp passes the raw gradient through as the update.
                rnn.biasInit(0).biasUpdater(new Sgd(0.0));
            }
            layers.layer(rnn.build());
        }
        layers.layer(training.implementation().rnnOutput(LossFunction.MSE).nOut(1).activation(Activation.IDENTITY).build());
        return layers.setInputType(InputType.recurrent(1)).build();
    }

    // ---- Training

    @Override
    public Training train(Options options, Data data, TaskContext context) {
        EpochTraining training = options.training();
        DataSet train = data.train();
        DataSet validation = data.validation();
        // Standardize bits (to -1/+1) and sums (to mean 0, variance 1), fitted on the training split:
        // on raw 0/1 bits and 0..7 sums Adam sits on the plateau of the mean (docs/tasks.md,
        // "How the tasks are trained").
        NormalizerStandardize normalizer = new NormalizerStandardize();
        normalizer.fitLabel(true);
        normalizer.fit(train);
        MultiLayerNetwork network = newNetwork(options, context);
        // Both floors' metrics every epoch, so that `rnnlab bench` can tell when the floor was first met.
        // One forward pass over the validation split serves both of its metrics.
        EpochTrainer.EpochMeasure measure = model -> {
            INDArray predicted = model.output(validation.getFeatures());
            Map<String, Double> values = new LinkedHashMap<>();
            values.put("train_mse", EpochTrainer.regression(model, train).averageMeanSquaredError());
            values.put("validation_mse", EpochTrainer.regression(validation, predicted).averageMeanSquaredError());
            values.put("rounded_exact", roundedExact(predicted, validation.getLabels()));
            return values;
        };
        return EpochTrainer.train(name(), new TrainedNetwork(network, normalizer), train, training.batchSize(),
                training.seed(), training.epochs(), measure, context.showProgress());
    }

    // ---- Evaluation: squared error at the last step, and how many rounded predictions are exact

    @Override
    public TaskMetrics evaluate(TrainedNetwork model, Options options, Data data, TaskContext context) {
        DataSet validation = data.validation();
        INDArray predicted = model.output(validation.getFeatures());
        RegressionEvaluation mse = EpochTrainer.regression(validation, predicted);
        return new TaskMetrics()
                .put("validation_mse", mse.averageMeanSquaredError())
                .put("validation_mae", mse.averageMeanAbsoluteError())
                .put("rounded_exact", roundedExact(predicted, validation.getLabels()))
                .count("validation_sequences", validation.numExamples())
                .count("validation_patterns", BinarySumData.distinctPatterns(patterns(validation)))
                .count("training_patterns", BinarySumData.distinctPatterns(patterns(data.train())))
                .count("validation_sequences_also_trained_on", BinarySumData.alsoIn(patterns(validation),
                        patterns(data.train())))
                .floor(QualityFloor.atMost("validation_mse", 0.0144))
                .floor(QualityFloor.atLeast("rounded_exact", 1.0));
    }

    /** The share of sequences whose prediction (outputs [n, 1, T], last step), rounded, is their true sum. */
    static double roundedExact(INDArray outputs, INDArray labels) {
        double[] predicted = lastStep(outputs);
        double[] truth = lastStep(labels);
        int exact = 0;
        for (int i = 0; i < truth.length; i++) {
            exact += Math.round(predicted[i]) == Math.round(truth[i]) ? 1 : 0;
        }
        return (double) exact / truth.length;
    }

    /** The last time step of [n, 1, T] outputs or labels. */
    static double[] lastStep(INDArray sequences) {
        long steps = sequences.size(2);
        return sequences.get(all(), point(0),
                point(steps - 1)).toDoubleVector();
    }

    // ---- Pictures: seed 000's heat maps of each recurrent layer's input and recurrent weights

    @Override
    public List<Picture> pictures(TrainedNetwork model, Options options) {
        return WeightHeatMap.ofRecurrentLayers(name(), model.network());
    }

    // ---- Demo: the seed's inference printout, 15 held-out sequences and their predictions

    @Override
    public void demo(TrainedNetwork model, Options options, Data data, TaskContext context) {
        DataSet validation = data.validation();
        double[] predicted = lastStep(model.output(validation.getFeatures()));
        double[] truth = lastStep(validation.getLabels());
        PrintStream out = context.out();
        String label = options.target() == Target.SUM ? "sum" : "last bit";
        out.printf("The first %d held-out sequences, their true %s and the network's prediction:%n",
                DEMO_SEQUENCES, label);
        for (int i = 0; i < Math.min(DEMO_SEQUENCES, truth.length); i++) {
            INDArray bits = validation.getFeatures().get(point(i),
                    point(0), all());
            out.printf(Locale.ROOT, "  %s   %s %d   predicted %.3f%n", bitString(bits.toDoubleVector()), label,
                    Math.round(truth[i]), predicted[i]);
        }
    }

    private static String bitString(double[] bits) {
        StringBuilder text = new StringBuilder();
        for (double bit : bits) {
            text.append(text.length() > 0 ? " " : "").append(Math.round(bit));
        }
        return text.toString();
    }

    // ---- Prediction from the command line: --input 1,0,1,1,0,1,0

    @Override
    public PredictExample predictExample() {
        return new PredictExample("1,0,1,1,0,1,0", "7 bits; answers their sum (or the last bit with --target LAST)");
    }

    @Override
    public String predict(TrainedNetwork model, Options options, String input) {
        double[] bits = NumberList.parse(input, "--input", 1000);
        for (double bit : bits) {
            if (bit != 0 && bit != 1) {
                throw new BadInputException("--input takes bits (0 or 1) such as 1,0,1,1,0,1,0; got " + input);
            }
        }
        INDArray features = Nd4j.create(bits, new long[] {1, 1, bits.length}).castTo(model.network().params().dataType());
        double predicted = lastStep(model.output(features))[0];
        String label = options.target() == Target.SUM ? "sum" : "last bit";
        String note = bits.length == BITS ? "" : String.format(" (trained on %d bits, given %d)", BITS, bits.length);
        return String.format(Locale.ROOT, "predicted %s: %.4f (rounded %d)%s", label, predicted,
                Math.round(predicted), note);
    }
}
