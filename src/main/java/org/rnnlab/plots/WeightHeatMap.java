package org.rnnlab.plots;

import java.awt.Color;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.DoubleSummaryStatistics;
import java.util.List;
import java.util.Locale;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.style.Styler.LegendPosition;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A recurrent layer's weight matrix as a heat map, one cell per weight, with a colour bar: the
 * input weights W [nIn, nOut] and the recurrent weights RW [nOut, nOut] of every SimpleRnn layer.
 * Rows are the matrix's rows (inputs, or the previous step's units), columns its units.
 */
public final class WeightHeatMap {
    static final int WIDTH = 600;
    static final int HEIGHT = 500;
    /** Blue for negative, white for zero, red for positive (with a symmetric range). */
    private static final Color[] COLOURS = {new Color(0x2166ac), new Color(0xf7f7f7), new Color(0xb2182b)};

    private WeightHeatMap() {
    }

    /** Heat maps of W and RW for each SimpleRnn layer (rnnlab's fast layers included), input side first. */
    public static List<Picture> ofRecurrentLayers(String task, MultiLayerNetwork network) {
        List<Picture> pictures = new ArrayList<>();
        for (int i = 0; i < network.getnLayers(); i++) {
            Layer layer = network.getLayer(i);
            if (layer.conf().getLayer() instanceof SimpleRnn) {
                pictures.add(of(task, i, "W", "input weights", layer.getParam("W")));
                pictures.add(of(task, i, "RW", "recurrent weights", layer.getParam("RW")));
            }
        }
        return pictures;
    }

    static Picture of(String task, int layer, String parameter, String what, INDArray weights) {
        double[][] values = weights.toDoubleMatrix();
        HeatMapChart chart = chart(String.format(Locale.ROOT, "%s: layer %d %s (%s)", task, layer, parameter, what),
                values);
        String fileName = String.format(Locale.ROOT, "weights-layer%d-%s.png", layer, parameter.toLowerCase(Locale.ROOT));
        return new Picture(fileName, String.format(Locale.ROOT,
                "%s: layer %d's %s %s, %d x %d, from %.3g to %.3g", task, layer, what, parameter, values.length,
                values.length == 0 ? 0 : values[0].length, range(values).getMin(), range(values).getMax()), chart);
    }

    /** The chart of one matrix; its colour bar is symmetric about zero ({@link #colourBound}). */
    static HeatMapChart chart(String title, double[][] values) {
        int rows = values.length;
        int columns = rows == 0 ? 0 : values[0].length;
        HeatMapChart chart = new HeatMapChartBuilder().width(WIDTH).height(HEIGHT).title(title).build();
        chart.getStyler().setLegendPosition(LegendPosition.OutsideE);
        chart.getStyler().setPiecewise(false);
        chart.getStyler().setShowValue(rows * columns <= 64);
        chart.getStyler().setHeatMapValueDecimalPattern("0.00");
        chart.getStyler().setHeatMapDecimalValueFormatter(v -> String.format(Locale.ROOT, "%.3g", v));
        chart.getStyler().setXAxisTitleVisible(true);
        chart.getStyler().setYAxisTitleVisible(true);
        chart.setXAxisTitle("unit (column)");
        chart.setYAxisTitle("row");
        double bound = colourBound(values);
        chart.getStyler().setMin(-bound).setMax(bound).setRangeColors(COLOURS);
        List<Integer> x = new ArrayList<>();
        List<Integer> y = new ArrayList<>();
        List<Number[]> cells = new ArrayList<>();
        for (int c = 0; c < columns; c++) {
            x.add(c);
        }
        for (int r = 0; r < rows; r++) {
            y.add(r);
            for (int c = 0; c < columns; c++) {
                cells.add(new Number[] {c, r, values[r][c]});
            }
        }
        chart.addSeries(title, x, y, cells);
        return chart;
    }

    /**
     * The colour bar runs from -bound to +bound, so that white is zero and a weight's sign reads at a
     * glance; bound is the largest |weight| rounded up to two significant digits, which the bar's
     * labels print as such (XChart writes the range's ends as plain doubles).
     */
    static double colourBound(double[][] values) {
        DoubleSummaryStatistics range = range(values);
        double largest = Math.max(Math.abs(range.getMin()), Math.abs(range.getMax()));
        if (!(largest > 0) || !Double.isFinite(largest)) {
            return 1; // all zeros (or nothing): any symmetric range shows them white
        }
        return new java.math.BigDecimal(largest).round(new java.math.MathContext(2, java.math.RoundingMode.UP))
                .doubleValue();
    }

    /** The smallest and largest values of a matrix. */
    static DoubleSummaryStatistics range(double[][] values) {
        return Arrays.stream(values).flatMapToDouble(Arrays::stream).summaryStatistics();
    }
}
