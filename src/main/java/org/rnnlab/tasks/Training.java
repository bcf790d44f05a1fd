package org.rnnlab.tasks;

import java.util.List;
import java.util.Map;
import org.rnnlab.nets.TrainedNetwork;

/**
 * What a task's training loop hands back: the trained network and how it got there.
 *
 * @param model   the trained network and its normalizer
 * @param epochs  passes made over the training data (or iterations, see {@code unit})
 * @param seconds wall-clock training time, data loading excluded
 * @param history per-epoch curves by metric name (for example {@code train_mse}), written to metrics.json
 * @param unit    what {@code epochs} counts, as metrics.json names it: "epochs" or "iterations"
 */
public record Training(TrainedNetwork model, int epochs, double seconds, Map<String, List<Double>> history,
        String unit) {

    /** Counted in epochs. */
    public Training(TrainedNetwork model, int epochs, double seconds, Map<String, List<Double>> history) {
        this(model, epochs, seconds, history, "epochs");
    }
}
