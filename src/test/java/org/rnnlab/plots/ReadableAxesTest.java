package org.rnnlab.plots;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Tick labels, count axes, markers and units as a person reads them. */
class ReadableAxesTest {

    @Test
    void ticksKeepTheirLeadingZeroAndFewDigits() {
        assertEquals("0.022", ReadableAxes.tick(0.022));
        assertEquals("1530", ReadableAxes.tick(1530));
        assertEquals("0.292", ReadableAxes.tick(0.29200000000000004));
        assertEquals("-0.5", ReadableAxes.tick(-0.5));
        assertEquals("1.2e-5", ReadableAxes.tick(1.23456e-5));
        assertEquals("0", ReadableAxes.tick(0));
        assertEquals("123.5", ReadableAxes.tick(123.456));
    }

    @Test
    void aOneEpochCurveIsAPointYouCanSeeAndALongOneALine() {
        XYChart one = TrainingCharts.lineChart("t", "epochs", "loss", Map.of("train_mse", List.of(0.5)));
        assertEquals(SeriesMarkers.CIRCLE, one.getSeriesMap().get("train_mse").getMarker());
        XYChart long300 = TrainingCharts.lineChart("t", "epochs", "loss",
                Map.of("train_mse", java.util.Collections.nCopies(300, 0.5)));
        assertEquals(SeriesMarkers.NONE, long300.getSeriesMap().get("train_mse").getMarker());
        assertEquals(0.0, long300.getStyler().getXAxisMin(), "epochs from 0: ticks on round numbers");
    }

    @Test
    void theLossAxisSaysWhatItMeasures() {
        assertEquals("mean squared error", TrainingCharts.lossUnit(List.of("train_mse", "validation_mse")));
        assertEquals("nats per chunk of --seq-length characters",
                TrainingCharts.lossUnit(List.of("chunk_loss", "smooth_loss_per_chunk")));
        assertEquals("nats, cross-entropy", TrainingCharts.lossUnit(List.of("train_loss", "test_loss")));
    }

    @Test
    void heatMapsAreCentredOnZeroWithShortEnds() {
        assertEquals(1.5, WeightHeatMap.colourBound(new double[][] {{1.427150845527649, -0.2}}));
        assertEquals(0.35, WeightHeatMap.colourBound(new double[][] {{0.1, -0.341}}));
        assertEquals(1.0, WeightHeatMap.colourBound(new double[][] {{0, 0}}), "all zeros: white in any range");
    }
}
