package org.rnnlab.nets;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.nd4j.evaluation.classification.EvaluationBinary;
import org.nd4j.evaluation.regression.RegressionEvaluation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.rnnlab.BadInputException;
import org.rnnlab.report.TaskMetrics;
import org.rnnlab.report.TrainingProgress;

/**
 * The epoch loop shared by the tasks that train on a small data set held in memory: shuffle, fit
 * one pass in minibatches, measure, record the curves, show progress, and stop with a clear message
 * if the loss stops being a number.
 *
 * <p>Minibatches go to {@code fit} through DL4J's {@link ListDataSetIterator}: one {@code fit(DataSet)}
 * call per minibatch was much slower (measurements: docs/tasks.md, "How the tasks are trained").
 */
public final class EpochTrainer {

    /** What is measured after each epoch, by name (for example train_mse and validation_mse). */
    @FunctionalInterface
    public interface EpochMeasure {
        Map<String, Double> measure(TrainedNetwork model);
    }

    private EpochTrainer() {
    }

    /**
     * train_mse and validation_mse over every labelled (unmasked) step, by DL4J's
     * RegressionEvaluation, in the units of the data (not of the normalized labels).
     */
    public static EpochMeasure meanSquaredError(DataSet train, DataSet validation) {
        return model -> {
            Map<String, Double> values = new LinkedHashMap<>();
            values.put("train_mse", regression(model, train).averageMeanSquaredError());
            values.put("validation_mse", regression(model, validation).averageMeanSquaredError());
            return values;
        };
    }

    /** DL4J's RegressionEvaluation of a model on raw (unnormalized) data of equal-length sequences, label mask honoured. */
    public static RegressionEvaluation regression(TrainedNetwork model, DataSet data) {
        return regression(data, model.output(data.getFeatures()));
    }

    /** The same for outputs already computed (in the data's units) from {@code data}'s features. */
    public static RegressionEvaluation regression(DataSet data, INDArray output) {
        RegressionEvaluation evaluation = new RegressionEvaluation((int) data.getLabels().size(1));
        evaluation.eval(data.getLabels(), output, data.getLabelsMaskArray());
        return evaluation;
    }

    /**
     * For a single sigmoid output: train_loss and HELDOUT_loss (the network's own loss, as fit()
     * minimizes it) and train_accuracy and HELDOUT_accuracy (outputs above 0.5 count as 1), over the
     * labelled (unmasked) steps.
     *
     * @param heldOut the held-out split's name in the curves, e.g. "test" or "validation"
     */
    public static EpochMeasure lossAndAccuracy(DataSet train, DataSet heldOutData, String heldOut) {
        return model -> {
            Map<String, Double> values = new LinkedHashMap<>();
            values.put("train_loss", model.score(train));
            values.put(heldOut + "_loss", model.score(heldOutData));
            values.put("train_accuracy", binary(model, train).accuracy(0));
            values.put(heldOut + "_accuracy", binary(model, heldOutData).accuracy(0));
            return values;
        };
    }

    /** DL4J's EvaluationBinary (threshold 0.5) of a model on raw data, label mask honoured. */
    public static EvaluationBinary binary(TrainedNetwork model, DataSet data) {
        EvaluationBinary evaluation = new EvaluationBinary();
        evaluation.eval(data.getLabels(), model.output(data.getFeatures()), data.getLabelsMaskArray());
        return evaluation;
    }

    /**
     * The minibatches of one epoch: the examples of {@code data} in the given order, cut into runs
     * of {@code batchSize}, each array gathered by one {@code pullRows} (an op per array, instead of a
     * view per example and a concat). The same arrays as DataSet.merge of the examples in that
     * order. Building them from per-example views and Nd4j.concat instead was a sizeable share of the
     * training thread's time (measurements: docs/tasks.md, "How the tasks are trained").
     */
    static List<DataSet> minibatches(DataSet data, int[] order, int batchSize) {
        List<DataSet> batches = new ArrayList<>();
        for (int from = 0; from < order.length; from += batchSize) {
            int[] rows = Arrays.copyOfRange(order, from, Math.min(order.length, from + batchSize));
            batches.add(new DataSet(rows(data.getFeatures(), rows), rows(data.getLabels(), rows),
                    rows(data.getFeaturesMaskArray(), rows), rows(data.getLabelsMaskArray(), rows)));
        }
        return batches;
    }

    /** The given rows (along dimension 0) of a 'c'-ordered array of any rank, in that order; null for null. */
    private static INDArray rows(INDArray array, int[] rows) {
        if (array == null) {
            return null;
        }
        long[] shape = array.shape().clone(); // a copy: ND4J hands out the array's own shape
        INDArray matrix = array.reshape('c', shape[0], array.length() / shape[0]);
        shape[0] = rows.length;
        return Nd4j.pullRows(matrix, 1, rows).reshape('c', shape);
    }

    /**
     * @param model       the network to train, with its normalizer already fitted (or none)
     * @param trainingSet raw training data; normalized here when the model has a normalizer
     * @param seed        shuffles the training examples anew each epoch, reproducibly
     */
    public static Training train(String label, TrainedNetwork model, DataSet trainingSet, int batchSize,
            long seed, int epochs, EpochMeasure measure, boolean showProgress) {
        Map<String, List<Double>> history = new LinkedHashMap<>();
        DataSet normalized = trainingSet.copy();
        if (model.normalizer() != null) {
            model.normalizer().transform(normalized);
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < normalized.numExamples(); i++) {
            order.add(i);
        }
        Random shuffle = new Random(seed);
        List<Double> elapsed = new ArrayList<>();
        long start = System.nanoTime();
        try (TrainingProgress progress = TrainingProgress.start(label, epochs, "epochs", showProgress)) {
            for (int epoch = 1; epoch <= epochs; epoch++) {
                // Shuffled in place epoch after epoch, so each epoch's order follows from the last.
                Collections.shuffle(order, shuffle);
                int[] epochOrder = order.stream().mapToInt(Integer::intValue).toArray();
                // Batch size 1 here: each list element is already a whole minibatch (the default would merge 10).
                model.network().fit(new ListDataSetIterator<>(minibatches(normalized, epochOrder, batchSize), 1));
                Map<String, Double> values = measure.measure(model);
                for (Map.Entry<String, Double> value : values.entrySet()) {
                    if (!Double.isFinite(value.getValue())) {
                        throw new BadInputException("training diverged at epoch " + epoch + " (" + value.getKey()
                                + " is " + value.getValue() + "); try a smaller --learning-rate");
                    }
                    history.computeIfAbsent(value.getKey(), k -> new ArrayList<>()).add(value.getValue());
                }
                elapsed.add((System.nanoTime() - start) / 1e9);
                progress.step(values.entrySet().stream()
                        .map(v -> v.getKey() + " " + TaskMetrics.number(v.getValue()))
                        .collect(Collectors.joining("  ")));
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Training(model, epochs, seconds, history, "epochs", List.of(), elapsed);
    }
}
