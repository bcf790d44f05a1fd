package org.rnnlab.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Progress written to a log: a line every few seconds and one at the end, never the same line twice. */
class TrainingProgressTest {

    @Test
    void aLogGetsALineEveryFiveSecondsAndTheLastStateOnce() {
        List<String> lines = new ArrayList<>();
        long[] now = {0};
        TrainingProgress.LogLines log = new TrainingProgress.LogLines("sine-wave", 60, "epochs", lines::add,
                () -> now[0]);
        for (int epoch = 1; epoch <= 60; epoch++) {
            now[0] = epoch * 200_000_000L; // 0.2 s an epoch: 12 s in all
            log.stepTo(epoch, "train_mse 0.0" + epoch);
        }
        log.close();
        assertEquals(List.of(
                "sine-wave: 25/60 epochs, 0:05 elapsed, about 0:07 left, train_mse 0.025",
                "sine-wave: 50/60 epochs, 0:10 elapsed, about 0:02 left, train_mse 0.050",
                "sine-wave: 60/60 epochs, 0:12 elapsed, train_mse 0.060"), lines);
    }

    @Test
    void theEndIsNotPrintedAgainWhenTheLastLineShowedIt() {
        List<String> lines = new ArrayList<>();
        long[] now = {0};
        TrainingProgress.LogLines log = new TrainingProgress.LogLines("t", 2, "epochs", lines::add, () -> now[0]);
        now[0] = 6_000_000_000L;
        log.stepTo(2, "");
        log.close();
        assertEquals(List.of("t: 2/2 epochs, 0:06 elapsed"), lines);
        assertEquals("1:01:01", TrainingProgress.LogLines.clockTime(3661));
    }
}
