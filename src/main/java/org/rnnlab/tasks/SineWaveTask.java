package org.rnnlab.tasks;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.deeplearning4j.datasets.datavec.SequenceRecordReaderDataSetIterator.AlignmentMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.evaluation.regression.RegressionEvaluation;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.rnnlab.nets.Training;
import org.rnnlab.nets.Updaters;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.rnnlab.data.CsvShape;
import org.rnnlab.data.DatasetFolder;
import org.rnnlab.data.FolderLock;
import org.rnnlab.data.LineSequenceCsv;
import org.rnnlab.data.NumberList;
import org.rnnlab.data.SineWaveData;
import org.rnnlab.nets.EpochTrainer;
import org.rnnlab.nets.TrainedNetwork;
import org.rnnlab.plots.Picture;
import org.rnnlab.plots.TrainingCharts;
import org.rnnlab.reference.GradientCheck;
import org.rnnlab.report.QualityFloor;
import org.rnnlab.report.TaskMetrics;

/**
 * Seed 001: a noisy half-period of a sine wave, 10 steps long, and at every step the value that
 * comes next (many-to-many regression). One tanh recurrent layer feeds an identity output trained
 * on squared error, as in the seed's {@code h = tanh(wx x + wh h + b)}, {@code y = w2 h + b2}.
 *
 * <p>Half-periods alternate in sign and all start near zero, so the first prediction of a
 * sequence can only guess the sign: its squared error cannot fall much below sin(pi/10)^2 = 0.095,
 * which is why the floors judge steps 2..10 on their own as well as all steps together.
 */
public final class SineWaveTask extends Task<SineWaveTask.Options, SineWaveTask.Data> {
    static final int SEQUENCES = 100;
    static final int STEPS = 10;
    static final double NOISE = 0.008;
    static final double VALIDATION_SHARE = 0.2;
    static final int DEMO_SEQUENCES = 3;
    /** Seed 001 plots its predictions after these epochs. */
    static final int[] SEED_PLOT_EPOCHS = {6, 9};

    /** Runs {@code rnnlab train sine-wave} with these arguments, e.g. {@code --epochs 5}. */
    public static void main(String[] args) {
        TrainCommandLine.main(new SineWaveTask(), args);
    }

    /** Options of {@code rnnlab train sine-wave}. */
    public record Options(
            EpochTraining training,
            @Doc("units in the tanh SimpleRnn layer") int hidden,
            @Doc("epochs after which to draw the held-out predictions over the true curves, as seed 001 does after "
                    + "epochs 6 and 9 (predictions-epoch-N.png); the last epoch is always drawn")
            int[] plotEpochs) {

        public Options {
            plotEpochs = plotEpochs == null ? SEED_PLOT_EPOCHS.clone() : plotEpochs.clone();
            for (int epoch : plotEpochs) {
                OptionCheck.inRange("--plot-epochs", epoch, 1, 100_000);
            }
            OptionCheck.inRange("--hidden", hidden, 1, 1024);
        }
    }

    /** The training and validation splits, as read back from their CSV files. */
    public record Data(DataSet train, DataSet validation) {
    }

    public SineWaveTask() {
        super("sine-wave", "seed 001: predict the next value of a noisy sine half-period at every step (tanh"
                + " SimpleRnn)",
                new Options(new EpochTraining(300, 42, 0.01, 8, null), 32, SEED_PLOT_EPOCHS),
                STEPS, GradientCheck.Labels.EVERY_STEP);
        quick(withDefault("epochs", 5));
    }

    // ---- Data: 100 seeded half-periods as CSV, a fifth held out, read back by DataVec

    @Override
    public Data data(Options options, TaskContext context) throws IOException {
        EpochTraining training = options.training();
        Path dir = context.dataDir(this);
        SineWaveData.Recipe recipe = new SineWaveData.Recipe(training.seed(), SEQUENCES, STEPS, NOISE, VALIDATION_SHARE);
        // Locked while generated and read: a concurrent run with another recipe waits instead of
        // swapping the files under this one (docs/robustness.md, "Two runs, one folder").
        try (FolderLock lock = FolderLock.acquire(dir, "its data", context.out())) {
            boolean generated = DatasetFolder.prepare(dir, recipe, LineSequenceCsv.fileNames("train", "validation"), into -> {
                SineWaveData.Splits splits = SineWaveData.generate(recipe);
                LineSequenceCsv.write(into, "train", splits.train(), LineSequenceCsv.header("x", STEPS),
                        LineSequenceCsv.header("next", STEPS));
                LineSequenceCsv.write(into, "validation", splits.validation(), LineSequenceCsv.header("x", STEPS),
                        LineSequenceCsv.header("next", STEPS));
            }, context.out());
            if (generated) {
                context.out().printf("generated %s (%d training and %d validation sequences, seed %d)%n", dir,
                        SEQUENCES - recipe.validationCount(), recipe.validationCount(), training.seed());
            }
            return new Data(read(dir, "train"), read(dir, "validation"));
        }
    }

    /** A whole split: inputs [n, 1, 10] and next values [n, 1, 10]. */
    static DataSet read(Path dir, String split) throws IOException {
        return LineSequenceCsv.readAll(dir, split, AlignmentMode.EQUAL_LENGTH, CsvShape.rows(STEPS, "one per step"),
                CsvShape.rows(STEPS, "the next value at each step"));
    }

    // ---- Network: one tanh SimpleRnn, identity output at every step, squared error

    @Override
    public MultiLayerConfiguration network(Options options) {
        EpochTraining training = options.training();
        return new NeuralNetConfiguration.Builder()
                .seed(training.seed())
                .updater(Updaters.annealedAdam(training.learningRate(), training.epochs()))
                .weightInit(WeightInit.XAVIER)
                .list()
                .layer(training.recurrentLayer(Activation.TANH).nOut(options.hidden()).build())
                .layer(training.implementation().rnnOutput(LossFunction.MSE).nOut(1).activation(Activation.IDENTITY).build())
                .setInputType(InputType.recurrent(1))
                .build();
    }

    // ---- Training

    @Override
    public Training train(Options options, Data data, TaskContext context) {
        EpochTraining training = options.training();
        DataSet train = data.train();
        DataSet validation = data.validation();
        MultiLayerNetwork network = newNetwork(options, context);
        // No normalizer: the values already lie in [-1, 1], where tanh works well.
        EpochTrainer.EpochMeasure mse = EpochTrainer.meanSquaredError(train, validation);
        Set<Integer> drawAfter = new TreeSet<>();
        Arrays.stream(options.plotEpochs()).filter(e -> e <= training.epochs()).forEach(drawAfter::add);
        drawAfter.add(training.epochs());
        List<Picture> pictures = new ArrayList<>();
        int[] epoch = {0};
        Training trained = EpochTrainer.train(name(), TrainedNetwork.withoutNormalizer(network), train,
                training.batchSize(), training.seed(), training.epochs(), model -> {
                    if (drawAfter.contains(++epoch[0]) && context.drawPictures()) {
                        pictures.add(predictionsPicture(model, validation, epoch[0]));
                    }
                    // Both floors' metrics every epoch, so that `rnnlab bench` can tell when they were first met.
                    Map<String, Double> values = new LinkedHashMap<>(mse.measure(model));
                    values.put("validation_mse_steps_2_to_10",
                            laterStepsMse(validation.getLabels(), model.output(validation.getFeatures())));
                    return values;
                }, context.showProgress());
        return trained.withPictures(pictures);
    }

    /** Seed 001's picture: the first held-out sequences' true next values, and the network's, after an epoch. */
    private Picture predictionsPicture(TrainedNetwork model, DataSet validation, int epoch) {
        INDArray predicted = model.output(validation.getFeatures());
        int shown = (int) Math.min(DEMO_SEQUENCES, predicted.size(0));
        double[][] truth = new double[shown][];
        double[][] guess = new double[shown][];
        for (int i = 0; i < shown; i++) {
            truth[i] = validation.getLabels().get(point(i), point(0), all()).toDoubleVector();
            guess[i] = predicted.get(point(i), point(0), all()).toDoubleVector();
        }
        return TrainingCharts.predictions(name(), epoch, truth, guess);
    }

    // ---- Evaluation: held-out squared error over all steps, the first step, and steps 2..10

    @Override
    public TaskMetrics evaluate(TrainedNetwork model, Options options, Data data, TaskContext context) {
        DataSet validation = data.validation();
        INDArray predicted = model.output(validation.getFeatures());
        INDArray labels = validation.getLabels();
        long n = labels.size(0);

        RegressionEvaluation overall = new RegressionEvaluation(1);
        overall.eval(labels, predicted);
        RegressionEvaluation first = new RegressionEvaluation(1);
        first.eval(labels, predicted, firstStep(n, labels));

        return new TaskMetrics()
                .put("validation_mse", overall.averageMeanSquaredError())
                .put("validation_mse_step_1", first.averageMeanSquaredError())
                .put("validation_mse_steps_2_to_10", laterStepsMse(labels, predicted))
                .count("validation_sequences", n)
                .floor(QualityFloor.atMost("validation_mse", 0.0105))
                .floor(QualityFloor.atMost("validation_mse_steps_2_to_10", 0.001));
    }

    /** A mask [n, T] of the first step only: RegressionEvaluation looks at the steps a mask marks. */
    private static INDArray firstStep(long n, INDArray labels) {
        INDArray mask = Nd4j.zeros(labels.dataType(), n, STEPS);
        mask.get(all(), point(0)).assign(1);
        return mask;
    }

    /** Squared error over steps 2..10, where the direction of the curve is known. */
    static double laterStepsMse(INDArray labels, INDArray predicted) {
        long n = labels.size(0);
        INDArray laterSteps = Nd4j.ones(labels.dataType(), n, STEPS).sub(firstStep(n, labels));
        RegressionEvaluation later = new RegressionEvaluation(1);
        later.eval(labels, predicted, laterSteps);
        return later.averageMeanSquaredError();
    }

    // ---- Demo: held-out predictions beside the truth

    @Override
    public void demo(TrainedNetwork model, Options options, Data data, TaskContext context) {
        DataSet validation = data.validation();
        INDArray predicted = model.output(validation.getFeatures());
        PrintStream out = context.out();
        out.println("Held-out sequences: the input at each step, the true next value and the prediction:");
        for (int i = 0; i < DEMO_SEQUENCES; i++) {
            double[] input = validation.getFeatures().get(point(i), point(0), all()).toDoubleVector();
            double[] truth = validation.getLabels().get(point(i), point(0), all()).toDoubleVector();
            double[] guess = predicted.get(point(i), point(0), all()).toDoubleVector();
            out.printf("  validation sequence %d%n    step   input    next  predicted%n", i + 1);
            for (int t = 0; t < STEPS; t++) {
                out.printf(Locale.ROOT, "    %4d  %6.3f  %6.3f  %9.3f%n", t + 1, input[t], truth[t], guess[t]);
            }
        }
    }

    // ---- Prediction from the command line: --input v1,...,vn

    @Override
    public PredictExample predictExample() {
        return new PredictExample("0,0.31,0.59,0.81,0.95", "the half-period's values so far; answers the next value"
                + " after each step");
    }

    @Override
    public String predict(TrainedNetwork model, Options options, String input) {
        double[] values = NumberList.parse(input, "--input", 10_000);
        INDArray features = Nd4j.create(values, new long[] {1, 1, values.length}).castTo(model.network().params().dataType());
        double[] next = model.output(features).get(point(0), point(0), interval(0, values.length)).toDoubleVector();
        StringBuilder text = new StringBuilder("step   input  predicted next\n");
        for (int t = 0; t < values.length; t++) {
            text.append(String.format(Locale.ROOT, "%4d  %6.3f  %14.4f%n", t + 1, values[t], next[t]));
        }
        return text.toString().stripTrailing();
    }
}
