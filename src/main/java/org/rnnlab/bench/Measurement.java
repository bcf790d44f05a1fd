package org.rnnlab.bench;

import java.util.Arrays;
import java.util.List;

/**
 * One benchmark figure over repeated runs: the median, with the smallest and largest run beside it,
 * since these machines are shared and a single run says little.
 *
 * @param name       what was measured, for example {@code char_rnn_train_fast_batch_128}
 * @param unit       the unit of the values, for example {@code chars/s}
 * @param conditions what held while it ran (minibatch, implementation, threads), in words
 * @param runs       every run's value, in the order measured
 */
public record Measurement(String name, String unit, String conditions, double median, double min, double max,
        double[] runs) {

    public static Measurement of(String name, String unit, String conditions, List<Double> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("no runs for " + name);
        }
        double[] runs = values.stream().mapToDouble(Double::doubleValue).toArray();
        double[] sorted = runs.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        return new Measurement(name, unit, conditions, median, sorted[0], sorted[n - 1], runs);
    }
}
