package org.rnnlab.plots;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Axes a person reads at a glance, for every line chart rnnlab draws: tick labels with their
 * leading zero and at most four significant digits, ticks far enough apart not to crowd, a count
 * axis (epochs, iterations, steps) that starts at zero so its ticks land on round numbers, and
 * markers on curves short enough that a line alone could hide a point.
 */
final class ReadableAxes {
    /** Curves of at most this many points get a marker on each. */
    static final int MARKED_POINTS = 25;

    private ReadableAxes() {
    }

    /** Applies the rules to {@code chart}; {@code countAxis}: x counts steps from 1 (epochs, iterations, steps). */
    static XYChart apply(XYChart chart, boolean countAxis) {
        if (!chart.getStyler().isYAxisLogarithmic()) {
            // On a logarithmic axis XChart labels the decades itself; a formatting function there is
            // handed positions, not values, and labels the decades with the wrong numbers.
            chart.getStyler().setyAxisTickLabelsFormattingFunction(ReadableAxes::tick);
        }
        chart.getStyler().setxAxisTickLabelsFormattingFunction(ReadableAxes::tick);
        chart.getStyler().setYAxisTickMarkSpacingHint(90);
        chart.getStyler().setXAxisTickMarkSpacingHint(110);
        if (countAxis) {
            chart.getStyler().setXAxisMin(0.0);
        }
        return chart;
    }

    /**
     * Room above and below the values of a short curve, whose markers would otherwise sit on the
     * plot's edge and be cut in half (a one-epoch run's single points).
     */
    static void pad(XYChart chart, double low, double high) {
        double room = high > low ? 0.08 * (high - low) : Math.max(1e-3, 0.1 * Math.abs(high));
        chart.getStyler().setYAxisMin(low - room).setYAxisMax(high + room);
    }

    /** A marker on each point of a short curve, none on a long one. */
    static void mark(XYSeries series, int points) {
        series.setMarker(points <= MARKED_POINTS ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
    }

    /** A tick label: 0.022 (not .022), 1530 (not 1,530), 4 significant digits at most, 1.2e-05 when tiny. */
    static String tick(double value) {
        if (value == 0 || !Double.isFinite(value)) {
            return value == 0 ? "0" : Double.toString(value);
        }
        double magnitude = Math.abs(value);
        if (magnitude < 1e-4 || magnitude >= 1e7) {
            return String.format(Locale.ROOT, "%.2g", value).replace("e-0", "e-").replace("e+0", "e");
        }
        return new BigDecimal(value).round(new MathContext(4)).stripTrailingZeros().toPlainString();
    }
}
