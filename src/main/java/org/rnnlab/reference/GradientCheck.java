package org.rnnlab.reference;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.rnnlab.reference.Dl4jMapping.Dl4jResult;

/**
 * Checks one DL4J network configuration three ways on random weights and data:
 * <ol>
 *   <li>the reference RNN against DL4J: outputs and score, then every gradient element;</li>
 *   <li>the reference RNN against finite differences of its own score;</li>
 *   <li>DL4J's GradientCheckUtil on the same network.</li>
 * </ol>
 * Errors are relative: |a - b| / max(|a|, |b|, floor), the floor keeping elements that are nearly
 * zero in both from counting rounding noise as error.
 */
public final class GradientCheck {
    public static final double OUTPUT_TOLERANCE = 1e-10;
    public static final double GRADIENT_TOLERANCE = 1e-8;
    public static final double FINITE_DIFFERENCE_TOLERANCE = 1e-6;
    /** Below this magnitude an element counts as zero (absolute comparison): DL4J vs reference. */
    public static final double DL4J_FLOOR = 1e-8;
    /** The finite-difference estimate is good to ~1e-11 absolute (see FiniteDifferences); this floor covers it. */
    public static final double FINITE_DIFFERENCE_FLOOR = 1e-5;
    /** GradientCheckUtil's own settings, as DL4J's tests use them in double precision. */
    public static final double DL4J_EPSILON = 1e-6;
    public static final double DL4J_MAX_RELATIVE_ERROR = 1e-3;
    public static final double DL4J_MIN_ABSOLUTE_ERROR = 1e-8;

    /**
     * Random weights are drawn from [-0.5, 0.5]. Larger ones can saturate a sigmoid or softmax output
     * into DL4J's loss clipping (outputs clipped at 1e-5 for binary cross-entropy, 1e-10 for softmax),
     * where DL4J deliberately departs from the exact maths (measurements: docs/gradient-checks.md,
     * "Gradient checks against a hand-written RNN").
     */
    public static final double WEIGHT_SCALE = 0.5;

    /**
     * Finite differences (ours and GradientCheckUtil's) look at up to this many elements of each
     * parameter, evenly spaced; the comparison with DL4J covers every element. A char-rnn over 80
     * symbols has 26,180 parameters, each costing several forward passes.
     */
    public static final int SAMPLED_ELEMENTS = 400;

    /** How labels and masks are laid out in the random data. */
    public enum Labels {
        /** A label at every step, no masks (sine-wave). */
        EVERY_STEP,
        /** One label at the last step of each sequence, by a label mask (binary-sum's ALIGN_END). */
        LAST_STEP_MASK,
        /** Sequences of random lengths: feature and label masks zero after each one's end. */
        VARIABLE_LENGTH,
        /**
         * Sequences of random lengths, one label at each one's own last step (increasing-sum: DataVec's
         * ALIGN_END over variable lengths): feature masks as VARIABLE_LENGTH, a label mask with a single 1.
         */
        LAST_OF_VARIABLE_LENGTH
    }

    /** One line of a report: one comparison of one parameter (or of the outputs or score). */
    public record Row(String comparison, String parameter, double maxError, double tolerance, boolean passed) {
        public static Row of(String comparison, String parameter, double maxError, double tolerance) {
            return new Row(comparison, parameter, maxError, tolerance, maxError <= tolerance);
        }
    }

    /** Every row of one network's check, and notes on rows that could not be measured. */
    public record Report(String name, List<Row> rows, List<String> notes) {
        public Report(String name, List<Row> rows) {
            this(name, rows, List.of());
        }

        public boolean passed() {
            return rows.stream().allMatch(Row::passed);
        }

        public String format() {
            StringBuilder text = new StringBuilder();
            for (Row row : rows) {
                text.append(String.format(Locale.ROOT, "%-16s %-28s %-8s %10s  <= %-8.0e %s%n", name, row.comparison(),
                        row.parameter(), Double.isNaN(row.maxError()) ? "-" : String.format(Locale.ROOT, "%.2e", row.maxError()),
                        row.tolerance(), row.passed() ? "ok" : "FAILED"));
            }
            for (String note : notes) {
                text.append(name).append(": ").append(note).append(System.lineSeparator());
            }
            return text.toString();
        }
    }

    private GradientCheck() {
    }

    /**
     * Builds the configuration in DOUBLE with a NoOp updater, draws weights and data from
     * {@code random}, and runs the three checks.
     */
    public static Report run(String name, MultiLayerConfiguration configuration, Labels labels, int minibatch,
            int steps, Random random) {
        return run(name, configuration, true, labels, minibatch, steps, random);
    }

    /**
     * @param hiddenBias false compares a reference whose recurrent layers have no bias with DL4J
     *                   layers whose bias is zero (DL4J still reports gradients for it; they go unused)
     */
    public static Report run(String name, MultiLayerConfiguration configuration, boolean hiddenBias, Labels labels,
            int minibatch, int steps, Random random) {
        MultiLayerNetwork network = new MultiLayerNetwork(Dl4jMapping.forChecking(configuration));
        network.init();
        ReferenceRnn reference = Dl4jMapping.architecture(network.getLayerWiseConfigurations(), hiddenBias);
        reference.randomize(random, WEIGHT_SCALE);
        Dl4jMapping.copyParameters(reference, network);
        ReferenceRnn.Batch batch = randomBatch(reference, labels, minibatch, steps, random);
        return compare(name, reference, network, batch);
    }

    /**
     * The three checks for a network whose parameters equal the reference's. ND4J's global default
     * type is DOUBLE meanwhile (and restored after): GradientCheckUtil insists on it, and LastTimeStep
     * with a mask otherwise loses precision through arrays it creates in the default FLOAT
     * (measurements: docs/gradient-checks.md, "Gradient checks against a hand-written RNN").
     */
    public static Report compare(String name, ReferenceRnn reference, MultiLayerNetwork network,
            ReferenceRnn.Batch batch) {
        DataType previous = Nd4j.dataType();
        DataType previousFloat = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            return compareInDouble(name, reference, network, batch);
        } finally {
            Nd4j.setDefaultDataTypes(previous, previousFloat);
        }
    }

    private static Report compareInDouble(String name, ReferenceRnn reference, MultiLayerNetwork network,
            ReferenceRnn.Batch batch) {
        boolean lastStepOnly = reference.output().lastStepOnly();
        List<Row> rows = new ArrayList<>();

        ReferenceRnn.Result mine = reference.forwardBackward(batch);
        Dl4jResult theirs = Dl4jMapping.scoreAndGradients(network, batch, lastStepOnly);
        rows.add(Row.of("reference vs DL4J", "output", outputError(mine.outputs(), theirs.outputs(), batch, lastStepOnly),
                OUTPUT_TOLERANCE));
        rows.add(Row.of("reference vs DL4J", "score", relativeError(mine.score(), theirs.score(), DL4J_FLOOR),
                OUTPUT_TOLERANCE));
        for (String parameter : reference.parameterNames()) {
            double[] dl4j = theirs.gradients().get(parameter);
            double error = dl4j == null ? Double.POSITIVE_INFINITY
                    : maxError(mine.gradients().get(parameter), dl4j, DL4J_FLOOR);
            rows.add(Row.of("reference vs DL4J", parameter, error, GRADIENT_TOLERANCE));
        }

        Map<String, double[]> numeric = FiniteDifferences.gradient(reference, batch, SAMPLED_ELEMENTS);
        for (String parameter : reference.parameterNames()) {
            rows.add(Row.of("reference vs finite diff.", parameter,
                    maxError(mine.gradients().get(parameter), numeric.get(parameter), FINITE_DIFFERENCE_FLOOR),
                    FINITE_DIFFERENCE_TOLERANCE));
        }

        boolean util = dl4jGradientCheck(network, batch, lastStepOnly);
        rows.add(new Row("DL4J GradientCheckUtil", "all", Double.NaN, DL4J_MAX_RELATIVE_ERROR, util));
        return new Report(name, rows);
    }

    private static boolean dl4jGradientCheck(MultiLayerNetwork network, ReferenceRnn.Batch batch, boolean lastStepOnly) {
        return GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig()
                .net(network)
                .input(Dl4jMapping.sequences(batch.features()))
                .labels(Dl4jMapping.labels(batch, lastStepOnly))
                .inputMask(Dl4jMapping.mask(batch.featureMask()))
                .labelMask(lastStepOnly ? null : Dl4jMapping.mask(batch.labelMask()))
                .epsilon(DL4J_EPSILON)
                .maxRelError(DL4J_MAX_RELATIVE_ERROR)
                .minAbsoluteError(DL4J_MIN_ABSOLUTE_ERROR)
                .subset(true)
                .maxPerParam(SAMPLED_ELEMENTS)
                .print(GradientCheckUtil.PrintMode.FAILURES_ONLY)
                .exitOnFirstError(false));
    }

    /** Random features in [-1, 1], labels that fit the loss, and masks as {@code labels} asks. */
    public static ReferenceRnn.Batch randomBatch(ReferenceRnn reference, Labels labels, int minibatch, int steps,
            Random random) {
        int nIn = reference.layers().get(0).nIn();
        ReferenceRnn.Output output = reference.output();
        double[][][] features = new double[minibatch][steps][nIn];
        boolean variable = labels == Labels.VARIABLE_LENGTH || labels == Labels.LAST_OF_VARIABLE_LENGTH;
        double[][] featureMask = variable ? new double[minibatch][steps] : null;
        double[][] labelMask = labels == Labels.EVERY_STEP || output.lastStepOnly() ? null : new double[minibatch][steps];
        for (int e = 0; e < minibatch; e++) {
            int length = variable ? 1 + random.nextInt(steps) : steps;
            for (int t = 0; t < steps; t++) {
                for (int i = 0; i < nIn; i++) {
                    features[e][t][i] = 2 * random.nextDouble() - 1;
                }
                if (featureMask != null) {
                    featureMask[e][t] = t < length ? 1 : 0;
                }
            }
            if (labelMask != null) {
                if (labels == Labels.LAST_STEP_MASK) {
                    labelMask[e][steps - 1] = 1;
                } else if (labels == Labels.LAST_OF_VARIABLE_LENGTH) {
                    labelMask[e][length - 1] = 1;
                } else {
                    for (int t = 0; t < length; t++) {
                        labelMask[e][t] = 1;
                    }
                }
            }
        }
        if (labelMask != null && allOnes(labelMask)) {
            // The same as no mask; and DL4J 1.0.0-M2.1 takes a [1, 1] label mask (one example, one
            // step) for a per-output mask, which softmax cross-entropy rejects.
            labelMask = null;
        }
        int labelSteps = output.lastStepOnly() ? 1 : steps;
        double[][][] targets = new double[minibatch][labelSteps][output.nOut()];
        for (int e = 0; e < minibatch; e++) {
            for (int t = 0; t < labelSteps; t++) {
                targets[e][t] = randomLabel(output, random);
            }
        }
        return new ReferenceRnn.Batch(features, targets, featureMask, labelMask);
    }

    private static boolean allOnes(double[][] mask) {
        for (double[] row : mask) {
            for (double v : row) {
                if (v != 1) {
                    return false;
                }
            }
        }
        return true;
    }

    private static double[] randomLabel(ReferenceRnn.Output output, Random random) {
        double[] y = new double[output.nOut()];
        switch (output.loss()) {
            case MSE -> {
                for (int k = 0; k < y.length; k++) {
                    y[k] = 2 * random.nextDouble() - 1;
                }
            }
            case BINARY_CROSS_ENTROPY -> {
                for (int k = 0; k < y.length; k++) {
                    y[k] = random.nextInt(2);
                }
            }
            case SOFTMAX_CROSS_ENTROPY -> y[random.nextInt(y.length)] = 1;
        }
        return y;
    }

    public static double relativeError(double a, double b, double floor) {
        return Math.abs(a - b) / Math.max(floor, Math.max(Math.abs(a), Math.abs(b)));
    }

    /** The largest relative error over the elements both arrays have (NaN marks an element not estimated). */
    public static double maxError(double[] a, double[] b, double floor) {
        if (a.length != b.length) {
            return Double.POSITIVE_INFINITY;
        }
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            if (Double.isNaN(b[i]) && !Double.isNaN(a[i])) {
                continue;
            }
            max = Math.max(max, relativeError(a[i], b[i], floor));
        }
        return max;
    }

    /** Outputs compared where they mean something: at unmasked steps (DL4J leaves padding undefined). */
    private static double outputError(double[][][] mine, double[][][] theirs, ReferenceRnn.Batch batch,
            boolean lastStepOnly) {
        double max = 0;
        for (int e = 0; e < mine.length; e++) {
            for (int t = 0; t < mine[e].length; t++) {
                if (!lastStepOnly && batch.featureMask() != null && batch.featureMask()[e][t] == 0) {
                    continue;
                }
                max = Math.max(max, maxError(mine[e][t], theirs[e][t], DL4J_FLOOR));
            }
        }
        return max;
    }
}
