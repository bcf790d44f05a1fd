package org.rnnlab.nets;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.rnnlab.plots.Picture;

/**
 * What a task's training loop hands back: the trained network and how it got there.
 *
 * @param model    the trained network and its normalizer
 * @param epochs   passes made over the training data (or iterations, see {@code unit})
 * @param seconds  wall-clock training time, data loading excluded
 * @param history  per-epoch curves by metric name (for example {@code train_mse}), written to metrics.json
 * @param unit     what {@code epochs} counts, as metrics.json names it: "epochs" or "iterations"
 * @param pictures charts only the training loop could draw (predictions after chosen epochs, say);
 *                 the loss curves from {@code history} are drawn for every task by the task runner
 * @param elapsed  training seconds at the end of each epoch, where the loop records them (for
 *                 {@code rnnlab bench}'s time to reach a floor); empty otherwise
 */
public record Training(TrainedNetwork model, int epochs, double seconds, Map<String, List<Double>> history,
        String unit, List<Picture> pictures, List<Double> elapsed) {

    public Training {
        pictures = List.copyOf(pictures);
        elapsed = List.copyOf(elapsed);
    }

    /** Without pictures or per-epoch times. */
    public Training(TrainedNetwork model, int epochs, double seconds, Map<String, List<Double>> history,
            String unit) {
        this(model, epochs, seconds, history, unit, List.of(), List.of());
    }

    /** Counted in epochs. */
    public Training(TrainedNetwork model, int epochs, double seconds, Map<String, List<Double>> history) {
        this(model, epochs, seconds, history, "epochs");
    }

    /** The same run with these charts added. */
    public Training withPictures(List<Picture> more) {
        return new Training(model, epochs, seconds, history, unit,
                Stream.concat(pictures.stream(), more.stream()).toList(), elapsed);
    }
}
