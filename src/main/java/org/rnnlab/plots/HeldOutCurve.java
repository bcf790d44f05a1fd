package org.rnnlab.plots;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler.LegendPosition;

/**
 * The held-out loss scored now and then during training, with the training loss at the same
 * moments, both in nats per character; drawn against training time and against iterations.
 */
public final class HeldOutCurve {
    /** The names the curve takes in Training's history (and so in metrics.json). */
    public static final String ITERATION = "held_out_at_iteration";
    public static final String SECONDS = "held_out_at_seconds";
    public static final String HELD_OUT = "held_out_loss_per_char";
    public static final String TRAIN = "held_out_train_loss_per_char";

    private final List<Double> iterations = new ArrayList<>();
    private final List<Double> seconds = new ArrayList<>();
    private final List<Double> heldOut = new ArrayList<>();
    private final List<Double> train = new ArrayList<>();

    /** One score: at this iteration and second of training, the held-out and the training loss per character. */
    public void add(int iteration, double second, double heldOutLoss, double trainLoss) {
        iterations.add((double) iteration);
        seconds.add(second);
        heldOut.add(heldOutLoss);
        train.add(trainLoss);
    }

    public boolean isEmpty() {
        return heldOut.isEmpty();
    }

    /** The held-out losses in order. */
    public List<Double> heldOut() {
        return List.copyOf(heldOut);
    }

    /** The training seconds of each score. */
    public List<Double> seconds() {
        return List.copyOf(seconds);
    }

    /** Its four series, under their names, into a history (nothing when empty). */
    public void putInto(Map<String, List<Double>> history) {
        if (!isEmpty()) {
            history.put(ITERATION, List.copyOf(iterations));
            history.put(SECONDS, List.copyOf(seconds));
            history.put(HELD_OUT, List.copyOf(heldOut));
            history.put(TRAIN, List.copyOf(train));
        }
    }

    /** The curve against seconds and against iterations. */
    public List<Picture> pictures(String task) {
        Map<String, List<Double>> curves = new LinkedHashMap<>();
        curves.put("held-out", heldOut);
        curves.put("training (smooth loss / chunk length)", train);
        return List.of(
                new Picture("held-out-by-time.png", task + ": held-out and training loss per character against seconds"
                        + " of training", chart(task, "seconds of training", seconds, curves)),
                new Picture("held-out-by-iteration.png", task + ": held-out and training loss per character against"
                        + " iterations", chart(task, "iteration", iterations, curves)));
    }

    private static XYChart chart(String task, String xAxis, List<Double> x, Map<String, List<Double>> curves) {
        XYChart chart = new XYChartBuilder().width(TrainingCharts.WIDTH).height(TrainingCharts.HEIGHT)
                .title(task + ": loss per character").xAxisTitle(xAxis).yAxisTitle("nats per character").build();
        chart.getStyler().setLegendPosition(LegendPosition.InsideNE);
        double[] xs = x.stream().mapToDouble(Double::doubleValue).toArray();
        curves.forEach((name, values) -> {
            XYSeries series = chart.addSeries(name, xs, values.stream().mapToDouble(Double::doubleValue).toArray());
            ReadableAxes.mark(series, xs.length);
        });
        return ReadableAxes.apply(chart, true);
    }
}
