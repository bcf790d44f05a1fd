package org.rnnlab.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.rnnlab.inference.Stepping;
import org.rnnlab.layers.LayerImplementation;

class MeasurementTest {

    @Test
    void medianMinAndMaxOfOddAndEvenRunCounts() {
        Measurement odd = Measurement.of("x", "ms", "", List.of(5.0, 1.0, 3.0));
        assertEquals(3.0, odd.median());
        assertEquals(1.0, odd.min());
        assertEquals(5.0, odd.max());
        assertArrayEquals(new double[] {5, 1, 3}, odd.runs(), "runs are kept in the order measured");
        assertEquals(2.5, Measurement.of("x", "ms", "", List.of(4.0, 1.0, 2.0, 3.0)).median());
        assertThrows(IllegalArgumentException.class, () -> Measurement.of("x", "ms", "", List.of()));
    }

    @Test
    void throughputRunsTrainAndSampleAndGivePositiveRates() {
        CharRnnThroughput throughput = CharRnnThroughput.synthetic(20_000, 80, 1);
        List<Double> training = throughput.training(LayerImplementation.FAST, 4, 1, 2, 0.2);
        assertEquals(2, training.size());
        assertTrue(training.stream().allMatch(v -> v > 0 && Double.isFinite(v)), training.toString());
        for (Stepping stepping : Stepping.values()) {
            List<Double> sampling = throughput.sampling(LayerImplementation.DL4J, stepping, 1, 50);
            assertTrue(sampling.get(0) > 0, sampling.toString());
        }
    }

    @Test
    void aTrainingRunInASecondJvmReportsItsPeakMemory(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isDirectory(java.nio.file.Path.of("/proc/self")),
                "skipped: peak memory is read from Linux's /proc");
        Measurement peak = ProcessMeasurements.trainPeakMemory(dir, 1);
        // A JVM with ND4J's native libraries loaded holds well over 100 MiB; the whole machine has far less than 1 TiB.
        assertTrue(peak.median() > 100 && peak.median() < 1 << 20, peak.toString());
    }
}
