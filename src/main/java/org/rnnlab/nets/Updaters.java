package org.rnnlab.nets;

import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/** The updaters the small regression tasks share. */
public final class Updaters {
    private Updaters() {
    }

    /**
     * Adam whose learning rate falls geometrically, epoch by epoch, to a tenth of its start at the
     * last epoch: large steps early, small ones late to settle instead of bouncing around the minimum.
     */
    public static Adam annealedAdam(double learningRate, int epochs) {
        double decayPerEpoch = Math.pow(0.1, 1.0 / epochs);
        return new Adam(new ExponentialSchedule(ScheduleType.EPOCH, learningRate, decayPerEpoch));
    }

    /**
     * Adam in three steps: the full learning rate for the first half of the epochs, a third of it
     * for the next quarter, a tenth for the last quarter. For tasks that sit on a plateau for a
     * while and need the full rate to leave it.
     */
    public static Adam stepDecayAdam(double learningRate, int epochs) {
        Map<Integer, Double> rates = new HashMap<>();
        rates.put(epochs * 3 / 4, learningRate / 10);
        rates.put(epochs / 2, learningRate / 3);
        rates.put(0, learningRate); // last, so that in very short runs the full rate wins
        return new Adam(new MapSchedule(ScheduleType.EPOCH, rates));
    }
}
