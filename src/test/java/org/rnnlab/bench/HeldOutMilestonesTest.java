package org.rnnlab.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.rnnlab.nets.Training;
import org.rnnlab.plots.HeldOutCurve;

class HeldOutMilestonesTest {

    @Test
    void theFirstScoreAtOrBelowEachLevelAndTheBest() {
        Training training = new Training(null, 100, 30.0, Map.of(
                HeldOutCurve.HELD_OUT, List.of(2.5, 1.95, 1.85, 1.9, 1.75, 1.79),
                HeldOutCurve.SECONDS, List.of(5.0, 10.0, 15.0, 20.0, 25.0, 30.0)), "iterations");
        HeldOutMilestones m = HeldOutMilestones.of("default", training);
        assertEquals(10.0, m.reachedAt().get("2.0"));
        assertEquals(15.0, m.reachedAt().get("1.9"), "the first time, not the later 1.9 at 20 s");
        assertEquals(25.0, m.reachedAt().get("1.8"));
        assertFalse(m.reachedAt().containsKey("1.7"));
        assertEquals(1.75, m.best());
        assertEquals(25.0, m.bestAt());
        assertEquals("held-out 2.0 at 10 s, 1.9 at 15 s, 1.8 at 25 s, 1.7 never, best 1.750 at 25 s of 30 s",
                m.describe());
    }

    @Test
    void aRunThatScoredNothingIsRefused() {
        Training training = new Training(null, 1, 1.0, Map.of("chunk_loss", List.of(1.0)), "iterations");
        assertThrows(IllegalArgumentException.class, () -> HeldOutMilestones.of("seed", training));
    }
}
