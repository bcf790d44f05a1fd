package org.rnnlab.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.rnnlab.nets.Training;
import org.rnnlab.report.QualityFloor;
import org.rnnlab.report.TaskMetrics;

class TimeToFloorTest {
    private static TaskMetrics metrics(double mse, double exact) {
        return new TaskMetrics().put("validation_mse", mse).put("exact", exact)
                .floor(QualityFloor.atMost("validation_mse", 0.1)).floor(QualityFloor.atLeast("exact", 1));
    }

    @Test
    void theFirstEpochWhoseCurvesMeetEveryFloor() {
        Training training = new Training(null, 4, 8.0, Map.of(
                "validation_mse", List.of(0.5, 0.09, 0.05, 0.04),
                "exact", List.of(0.2, 0.9, 1.0, 1.0)), "epochs", List.of(), List.of(2.0, 4.0, 6.0, 8.0));
        TimeToFloor time = TimeToFloor.of("demo", training, metrics(0.04, 1));
        assertTrue(time.perEpoch());
        assertEquals(3, time.epoch());
        assertEquals(6.0, time.secondsToFloor());
        assertEquals(8.0, time.trainSeconds());
    }

    @Test
    void aFloorWithoutAPerEpochCurveFallsBackOnTheWholeTraining() {
        Training training = new Training(null, 2, 5.0, Map.of("validation_mse", List.of(0.5, 0.05)), "epochs",
                List.of(), List.of(2.5, 5.0));
        TimeToFloor time = TimeToFloor.of("demo", training, metrics(0.05, 1));
        assertFalse(time.perEpoch());
        assertEquals(0, time.epoch());
        assertEquals(5.0, time.secondsToFloor());
    }

    @Test
    void withoutPerEpochTimesNothingIsFollowed() {
        Training training = new Training(null, 2, 5.0, Map.of("validation_mse", List.of(0.5, 0.05),
                "exact", List.of(1.0, 1.0)), "epochs");
        assertFalse(TimeToFloor.of("demo", training, metrics(0.05, 1)).perEpoch());
    }
}
