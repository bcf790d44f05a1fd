package org.rnnlab.plots;

import java.awt.Color;
import java.util.ArrayList;
import java.util.DoubleSummaryStatistics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler.LegendPosition;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The curves a training run records (Training's history), drawn as line charts: the losses and
 * errors in {@code loss.png}, and shares such as accuracies or exact sums in {@code accuracy.png}.
 */
public final class TrainingCharts {
    static final int WIDTH = 800;
    static final int HEIGHT = 500;
    /** More points than pixels across only blur the line; longer curves are thinned evenly. */
    static final int MAX_POINTS = 2000;

    private static final Color[] SEQUENCE_COLOURS = {new Color(0x1f77b4),
        new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728)};

    private TrainingCharts() {
    }

    /**
     * The charts of one run's curves; none for a run that recorded none.
     *
     * @param unit what the curves' x axis counts: "epochs" or "iterations"
     */
    public static List<Picture> of(String task, String unit, Map<String, List<Double>> history) {
        Map<String, List<Double>> losses = new LinkedHashMap<>();
        Map<String, List<Double>> shares = new LinkedHashMap<>();
        int length = history.isEmpty() ? 0 : history.values().iterator().next().size();
        // Curves of another length (scored now and then, not every epoch) are drawn by their own charts
        history.forEach((name, curve) -> {
            if (curve.size() == length) {
                (isShare(name) ? shares : losses).put(name, curve);
            }
        });
        List<Picture> pictures = new ArrayList<>();
        if (!losses.isEmpty()) {
            pictures.add(new Picture("loss.png", task + ": " + String.join(", ", losses.keySet()) + " after each "
                    + singular(unit),
                    lineChart(task + ": loss", unit, "loss (" + lossUnit(losses.keySet()) + ")", losses)));
        }
        if (!shares.isEmpty()) {
            pictures.add(new Picture("accuracy.png", task + ": " + String.join(", ", shares.keySet()) + " after each "
                    + singular(unit), lineChart(task + ": accuracy", unit, "share", shares)));
        }
        return pictures;
    }

    /**
     * Held-out predictions drawn over the true sequences after one epoch of training: the truth as
     * lines, the predictions as dots of the same colour.
     *
     * @param truth     one row per sequence, the true value at each step
     * @param predicted the network's value at each step, same shape
     */
    public static Picture predictions(String task, int epoch, double[][] truth, double[][] predicted) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                .title(task + ": held-out predictions after epoch " + epoch).xAxisTitle("step").yAxisTitle("value")
                .build();
        chart.getStyler().setLegendPosition(LegendPosition.OutsideE);
        for (int s = 0; s < truth.length; s++) {
            double[] steps = new double[truth[s].length];
            for (int t = 0; t < steps.length; t++) {
                steps[t] = t + 1;
            }
            XYSeries line = chart.addSeries((s + 1) + ": true", steps, truth[s]);
            line.setMarker(SeriesMarkers.NONE);
            Color colour = SEQUENCE_COLOURS[s % SEQUENCE_COLOURS.length];
            line.setLineColor(colour);
            XYSeries dots = chart.addSeries((s + 1) + ": predicted", steps, predicted[s]);
            dots.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            dots.setMarker(SeriesMarkers.CIRCLE);
            dots.setMarkerColor(colour);
        }
        ReadableAxes.apply(chart, true);
        return new Picture(String.format(Locale.ROOT, "predictions-epoch-%d.png", epoch),
                task + ": the first " + truth.length + " held-out sequences' next values (lines) and the network's"
                        + " predictions (dots) after epoch " + epoch, chart);
    }

    /** What the loss axis measures, from its curves' names: squared error, or nats (per chunk where the curves say so). */
    static String lossUnit(java.util.Collection<String> curves) {
        if (curves.stream().allMatch(c -> c.contains("mse"))) {
            return "mean squared error";
        }
        if (curves.stream().anyMatch(c -> c.contains("chunk"))) {
            return "nats per chunk of --seq-length characters";
        }
        return "nats, cross-entropy";
    }

    /** Accuracies and shares of exact answers, between 0 and 1, go on their own chart. */
    static boolean isShare(String curve) {
        return curve.contains("accuracy") || curve.contains("exact") || curve.contains("within");
    }

    private static String singular(String unit) {
        return unit.endsWith("s") ? unit.substring(0, unit.length() - 1) : unit;
    }

    static XYChart lineChart(String title, String xAxis, String yAxis, Map<String, List<Double>> curves) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xAxis)
                .yAxisTitle(yAxis).build();
        chart.getStyler().setLegendPosition(LegendPosition.InsideNE);
        // A logarithmic axis where the values span two decades or more (XChart labels only its decades).
        DoubleSummaryStatistics values = curves.values().stream().flatMap(List::stream)
                .mapToDouble(Double::doubleValue).summaryStatistics();
        chart.getStyler().setYAxisLogarithmic(yAxis.startsWith("loss") && values.getMin() > 0
                && values.getMax() / values.getMin() >= 100);
        curves.forEach((name, curve) -> {
            int step = Math.max(1, (int) Math.ceil(curve.size() / (double) MAX_POINTS));
            int points = (curve.size() + step - 1) / step;
            double[] x = new double[points];
            double[] y = new double[points];
            for (int i = 0; i < points; i++) {
                x[i] = i * step + 1; // epochs and iterations count from 1
                y[i] = curve.get(i * step);
            }
            XYSeries series = chart.addSeries(name, x, y);
            ReadableAxes.mark(series, points);
        });
        int longest = curves.values().stream().mapToInt(List::size).max().orElse(0);
        if (longest <= ReadableAxes.MARKED_POINTS && !chart.getStyler().isYAxisLogarithmic() && values.getCount() > 0) {
            ReadableAxes.pad(chart, values.getMin(), values.getMax());
            chart.getStyler().setLegendPosition(LegendPosition.OutsideS); // the last points sit at the top right
        }
        return ReadableAxes.apply(chart, true);
    }
}
