package org.rnnlab.bench;

import java.util.List;
import org.rnnlab.nets.Training;
import org.rnnlab.report.QualityFloor;
import org.rnnlab.report.TaskMetrics;

/**
 * How long a task's default training took to reach its quality floors: the training seconds at the
 * end of the first epoch whose per-epoch curves meet every floor. Where a floor's metric has no
 * per-epoch curve (it is measured once, after training), or the loop keeps no per-epoch times, the
 * whole training time is all that is known, and {@code perEpoch} says so.
 *
 * @param trainSeconds   the whole default training
 * @param floorsMet      whether the trained model meets its floors
 * @param epoch          the first epoch (from 1) whose curves meet every floor; 0 when not known
 * @param secondsToFloor training seconds up to that epoch; the whole training when not known
 * @param perEpoch       whether the floors could be followed epoch by epoch
 */
public record TimeToFloor(String task, double trainSeconds, boolean floorsMet, int epoch, double secondsToFloor,
        boolean perEpoch) {

    public static TimeToFloor of(String task, Training training, TaskMetrics metrics) {
        List<Double> elapsed = training.elapsed();
        boolean tracked = !elapsed.isEmpty() && !metrics.floors().isEmpty() && metrics.floors().stream()
                .allMatch(f -> training.history().containsKey(f.metric())
                        && training.history().get(f.metric()).size() == elapsed.size());
        if (tracked) {
            for (int e = 0; e < elapsed.size(); e++) {
                if (allMet(metrics.floors(), training, e)) {
                    return new TimeToFloor(task, training.seconds(), metrics.floorsMet(), e + 1, elapsed.get(e), true);
                }
            }
        }
        return new TimeToFloor(task, training.seconds(), metrics.floorsMet(), 0, training.seconds(), false);
    }

    private static boolean allMet(List<QualityFloor> floors, Training training, int epoch) {
        return floors.stream().allMatch(f -> f.isMetBy(training.history().get(f.metric()).get(epoch)));
    }
}
