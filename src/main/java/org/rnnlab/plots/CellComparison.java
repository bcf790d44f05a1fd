package org.rnnlab.plots;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler.LegendPosition;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * One picture of why gated cells exist: the held-out error of each recurrent cell, trained alike,
 * against the distance its memory must span, beside the error of an answer that ignores the input.
 */
public final class CellComparison {
    private CellComparison() {
    }

    /**
     * @param steps   the sequence lengths trained on, in increasing order
     * @param errors  per cell, its held-out mean squared error at each length (NaN where not trained)
     * @param trivial the error of always answering the mean
     */
    public static Picture of(String task, int[] steps, Map<String, double[]> errors, double trivial) {
        XYChart chart = new XYChartBuilder().width(TrainingCharts.WIDTH).height(TrainingCharts.HEIGHT)
                .title(task + ": held-out error of each cell against the sequence length")
                .xAxisTitle("sequence length T").yAxisTitle("held-out mean squared error").build();
        chart.getStyler().setLegendPosition(LegendPosition.OutsideE);
        chart.getStyler().setYAxisLogarithmic(true);
        double[] x = Arrays.stream(steps).asDoubleStream().toArray();
        errors.forEach((cell, values) -> {
            XYSeries series = chart.addSeries(cell, x, floored(values));
            series.setMarker(SeriesMarkers.CIRCLE);
        });
        double[] line = new double[x.length];
        Arrays.fill(line, trivial);
        XYSeries baseline = chart.addSeries(String.format(Locale.ROOT, "answering the mean (%.3f)", trivial), x, line);
        baseline.setMarker(SeriesMarkers.NONE);
        ReadableAxes.apply(chart, true);
        return new Picture("cells-by-length.png", task + ": held-out mean squared error of each cell, trained alike,"
                + " against the sequence length T (log scale), and the error of answering the mean", chart);
    }

    /** A perfect 0 cannot sit on a log axis; it is drawn at 1e-6. */
    private static double[] floored(double[] values) {
        return Arrays.stream(values).map(v -> Double.isFinite(v) ? Math.max(v, 1e-6) : Double.NaN).toArray();
    }
}
