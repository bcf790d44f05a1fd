package org.rnnlab.tasks;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.deeplearning4j.datasets.datavec.SequenceRecordReaderDataSetIterator.AlignmentMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.preprocessor.NormalizerStandardize;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.rnnlab.BadInputException;
import org.rnnlab.data.CsvShape;
import org.rnnlab.data.CountUpData;
import org.rnnlab.data.DatasetFolder;
import org.rnnlab.data.FolderLock;
import org.rnnlab.data.LineSequenceCsv;
import org.rnnlab.data.NumberList;
import org.rnnlab.inference.TimeStepper;
import org.rnnlab.nets.EpochTrainer;
import org.rnnlab.nets.TrainedNetwork;
import org.rnnlab.nets.Training;
import org.rnnlab.nets.Updaters;
import org.rnnlab.reference.GradientCheck;
import org.rnnlab.report.QualityFloor;
import org.rnnlab.report.TaskMetrics;

/**
 * Seed 004, second half: from one integer n, generate n+1, n+2, ... (one-to-many). A linear
 * recurrent layer of 4 units feeds a linear output trained on squared error, as the seed's
 * {@code RecurrentLayer(1, 4, 'linear')} and {@code Layer(4, 1, 'linear')}; each prediction is fed
 * back as the next input.
 *
 * <p>The seed backpropagates through its own fed-back predictions, and its generator calls the
 * model afresh for each step, so no hidden state carries over. Here training is teacher-forced: the
 * sequence n, n+1, ..., n+4 goes in and the next integer is the target at every step (n in 0..99).
 * Generation starts from n alone and feeds each prediction back through {@code rnnTimeStep}, which
 * keeps the hidden state within a sequence; it is cleared between sequences. The test starts from
 * 100..104, outside the training range: only a network that has learned "add one" rather than the
 * training values gets all 8 steps of all 5 right; being linear, this network can.
 */
public final class CountUpTask extends Task<CountUpTask.Options, CountUpTask.Data> {
    static final int FIRST = 0;
    static final int STARTS = 100;
    static final int STEPS = 5;
    /** The seed's test: generate 8 steps from each of 100..104. */
    static final int TEST_FIRST = 100;
    static final int TEST_STARTS = 5;
    static final int TEST_STEPS = 8;

    /** Runs {@code rnnlab train count-up} with these arguments, e.g. {@code --epochs 5}. */
    public static void main(String[] args) {
        TrainCommandLine.main(new CountUpTask(), args);
    }

    /** Options of {@code rnnlab train count-up}. */
    public record Options(EpochTraining training, @Doc("units in the linear SimpleRnn layer") int hidden) {
        public Options {
            OptionCheck.inRange("--hidden", hidden, 1, 1024);
        }
    }

    /** The training sequences n..n+4 -> n+1..n+5, as read back from their CSV file. */
    public record Data(DataSet train) {
    }

    public CountUpTask() {
        super("count-up", "seed 004: from n, generate n+1, n+2, ... by feeding predictions back (one-to-many,"
                + " linear SimpleRnn 4)",
                new Options(new EpochTraining(100, 42, 0.03, 10, null), 4),
                STEPS, GradientCheck.Labels.EVERY_STEP);
        quick(withDefault("epochs", 5));
    }

    // ---- Data: n..n+4 -> n+1..n+5 for n in 0..99, as CSV read back by DataVec

    @Override
    public Data data(Options options, TaskContext context) throws IOException {
        Path dir = context.dataDir(this);
        CountUpData.Recipe recipe = new CountUpData.Recipe(FIRST, STARTS, STEPS);
        // Locked while generated and read: a concurrent run with another recipe waits instead of
        // swapping the files under this one (docs/robustness.md, "Two runs, one folder").
        try (FolderLock lock = FolderLock.acquire(dir, "its data", context.out())) {
            boolean generated = DatasetFolder.prepare(dir, recipe, LineSequenceCsv.fileNames("train"), into ->
                    LineSequenceCsv.write(into, "train", CountUpData.generate(recipe), LineSequenceCsv.header("x", STEPS),
                            LineSequenceCsv.header("next", STEPS)), context.out());
            if (generated) {
                context.out().printf("generated %s (%d sequences: n..n+%d -> n+1..n+%d for n in %d..%d)%n", dir, STARTS,
                        STEPS - 1, STEPS, FIRST, FIRST + STARTS - 1);
            }
            return new Data(read(dir));
        }
    }

    /** The training split: inputs [100, 1, 5] and next integers [100, 1, 5]. */
    static DataSet read(Path dir) throws IOException {
        return LineSequenceCsv.readAll(dir, "train", AlignmentMode.EQUAL_LENGTH,
                CsvShape.rows(STEPS, "one integer per step"), CsvShape.rows(STEPS, "the next integer at each step"));
    }

    // ---- Network: one linear SimpleRnn, a linear output at every step, squared error

    /** Its models carry a normalizer: inputs and targets share one standardization. */
    @Override
    protected boolean normalizes() {
        return true;
    }

    /**
     * The recurrent weights start at zero: the network starts without memory, like the seed's
     * generator, which calls its model afresh at each step, and training adds memory only where it
     * lowers the loss; with Xavier's random recurrent weights a seed can miss the floor (docs/tasks.md,
     * "Why the defaults are what they are").
     */
    @Override
    public MultiLayerConfiguration network(Options options) {
        EpochTraining training = options.training();
        return new NeuralNetConfiguration.Builder()
                .seed(training.seed())
                .updater(Updaters.annealedAdam(training.learningRate(), training.epochs()))
                .weightInit(WeightInit.XAVIER)
                .list()
                .layer(training.recurrentLayer(Activation.IDENTITY).nOut(options.hidden())
                        .weightInitRecurrent(WeightInit.ZERO).build())
                .layer(training.implementation().rnnOutput(LossFunction.MSE).nOut(1).activation(Activation.IDENTITY).build())
                .setInputType(InputType.recurrent(1))
                .build();
    }

    // ---- Training

    @Override
    public Training train(Options options, Data data, TaskContext context) {
        EpochTraining training = options.training();
        DataSet train = data.train();
        MultiLayerNetwork network = newNetwork(options, context);
        return EpochTrainer.train(name(), new TrainedNetwork(network, scaling(train)), train, training.batchSize(),
                training.seed(), training.epochs(), model -> {
                    Map<String, Double> values = new LinkedHashMap<>();
                    values.put("train_mse", EpochTrainer.regression(model, train).averageMeanSquaredError());
                    values.put("max_abs_error", test(model).maxAbsError());
                    return values;
                }, context.showProgress());
    }

    /**
     * Inputs and targets standardized with the same mean and deviation, those of the inputs. A
     * normalizer fitted on each side would map n and n+1 to the same number and hide the "+1" in
     * the normalizer; one shared scale leaves it to the network: it must learn y = x + 1/std.
     */
    static NormalizerStandardize scaling(DataSet train) {
        NormalizerStandardize normalizer = new NormalizerStandardize();
        normalizer.fit(train);
        normalizer.fitLabel(true);
        normalizer.setLabelStats(normalizer.getMean().dup(), normalizer.getStd().dup());
        return normalizer;
    }

    // ---- Generation: start from n alone and feed each prediction back in

    /**
     * {@code steps} values generated from {@code start}: each output becomes the next input, one
     * time step at a time with the state carried (rnnTimeStep's contract, through the model's
     * {@link TrainedNetwork#stepper}), in the data's units. Each generation starts from a zero state.
     */
    static double[] generate(TrainedNetwork model, double start, int steps) {
        return generate(model.stepper(), model.network().params().dataType(), start, steps);
    }

    static double[] generate(TimeStepper stepper, DataType dataType, double start, int steps) {
        stepper.clear();
        double[] generated = new double[steps];
        INDArray input = Nd4j.zeros(dataType, 1, 1, 1);
        double next = start;
        for (int t = 0; t < steps; t++) {
            input.putScalar(0, next);
            next = stepper.step(input).getDouble(0);
            generated[t] = next;
        }
        stepper.clear();
        return generated;
    }

    /** The seed's test: 8 steps from each of 100..104, against the true n+1..n+8. */
    record Test(double[][] generated) {
        double error(int sequence, int step) {
            return Math.abs(generated[sequence][step] - (TEST_FIRST + sequence + step + 1));
        }

        double maxAbsError() {
            double max = 0;
            for (int s = 0; s < generated.length; s++) {
                for (int t = 0; t < generated[s].length; t++) {
                    max = Math.max(max, error(s, t));
                }
            }
            return max;
        }

        double meanAbsError() {
            double sum = 0;
            for (int s = 0; s < generated.length; s++) {
                for (int t = 0; t < generated[s].length; t++) {
                    sum += error(s, t);
                }
            }
            return sum / (generated.length * TEST_STEPS);
        }

        int withinHalf() {
            int count = 0;
            for (int s = 0; s < generated.length; s++) {
                for (int t = 0; t < generated[s].length; t++) {
                    count += error(s, t) < 0.5 ? 1 : 0;
                }
            }
            return count;
        }
    }

    static Test test(TrainedNetwork model) {
        double[][] generated = new double[TEST_STARTS][];
        for (int s = 0; s < TEST_STARTS; s++) {
            generated[s] = generate(model, TEST_FIRST + s, TEST_STEPS);
        }
        return new Test(generated);
    }

    // ---- Evaluation: the fed-back generations from 100..104 (outside the training range)

    @Override
    public TaskMetrics evaluate(TrainedNetwork model, Options options, Data data, TaskContext context) {
        DataSet train = data.train();
        Test test = test(model);
        return new TaskMetrics()
                .put("max_abs_error", test.maxAbsError())
                .put("mean_abs_error", test.meanAbsError())
                .count("within_half", test.withinHalf())
                .count("generated_values", TEST_STARTS * TEST_STEPS)
                .put("train_mse", EpochTrainer.regression(model, train).averageMeanSquaredError())
                .floor(QualityFloor.atMost("max_abs_error", 0.5));
    }

    // ---- Demo: the seed's table, 8 generated steps from each of 100..104

    @Override
    public void demo(TrainedNetwork model, Options options, Data data, TaskContext context) {
        PrintStream out = context.out();
        Test test = test(model);
        out.printf("Generated from %d..%d, each prediction fed back as the next input (truth: n+1..n+%d):%n",
                TEST_FIRST, TEST_FIRST + TEST_STARTS - 1, TEST_STEPS);
        StringBuilder header = new StringBuilder("      n");
        for (int t = 1; t <= TEST_STEPS; t++) {
            header.append(String.format("  %8s", "step " + t));
        }
        out.println(header);
        for (int s = 0; s < TEST_STARTS; s++) {
            StringBuilder row = new StringBuilder(String.format("    %3d", TEST_FIRST + s));
            for (double value : test.generated()[s]) {
                row.append(String.format(Locale.ROOT, "  %8.3f", value));
            }
            out.println(row);
        }
    }

    // ---- Prediction from the command line: --input n or --input n,steps

    /** The largest |n| prediction starts from (see {@link #predict}). */
    static final double MAX_START = 1e6;

    @Override
    public PredictExample predictExample() {
        return new PredictExample("105", "n, or n,steps (105,12); answers n+1, n+2, ... fed back step by step");
    }

    @Override
    public String predict(TrainedNetwork model, Options options, String input) {
        double[] values = NumberList.parse(input, "--input", 2);
        if (Math.abs(values[0]) > MAX_START) {
            // 32-bit floats hold whole numbers exactly only up to 2^24; beyond a million, n+1 and n+2
            // print alike at three decimals, and the answer says nothing.
            throw new BadInputException("--input n takes n within +-" + (long) MAX_START + " (the network computes in"
                    + " 32-bit floats, which cannot tell n+1 from n+2 far beyond that), got " + input);
        }
        int steps = TEST_STEPS;
        if (values.length == 2) {
            if (values[1] != Math.rint(values[1]) || values[1] < 1 || values[1] > 1000) {
                throw new BadInputException("--input n,steps takes a whole number of steps in 1..1000, got " + input);
            }
            steps = (int) values[1];
        }
        double[] generated = generate(model, values[0], steps);
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "generated from %s:", number(values[0])));
        for (double value : generated) {
            text.append(String.format(Locale.ROOT, " %.3f", value));
        }
        return text.toString();
    }

    private static String number(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
    }
}
