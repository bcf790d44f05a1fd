package org.rnnlab.nets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Best-model keeping, rate cuts on plateaus and early stopping, on synthetic held-out curves. */
class HeldOutWatchTest {

    /** The decisions for a curve, one letter each: i improved, l lower the rate, s stop, - nothing. */
    private static List<String> decisions(HeldOutWatch watch, double... curve) {
        List<String> out = new ArrayList<>();
        for (double loss : curve) {
            HeldOutWatch.Decision d = watch.score(loss);
            out.add((d.improved() ? "i" : "") + (d.lowerRate() ? "l" : "") + (d.stop() ? "s" : "") + (d.improved()
                    || d.lowerRate() || d.stop() ? "" : "-"));
        }
        return out;
    }

    @Test
    void aFallingCurveImprovesEveryTimeAndNeverCutsOrStops() {
        HeldOutWatch watch = new HeldOutWatch(2, 3);
        assertEquals(List.of("i", "i", "i", "i"), decisions(watch, 3.0, 2.5, 2.2, 2.1));
        assertEquals(2.1, watch.best());
        assertEquals(4, watch.bestScore());
    }

    @Test
    void aCurveThatRisesLateKeepsTheEarlierBest() {
        HeldOutWatch watch = new HeldOutWatch(0, 0);
        assertEquals(List.of("i", "i", "-", "-", "-"), decisions(watch, 3.0, 1.8, 1.9, 2.0, 2.2));
        assertEquals(1.8, watch.best());
        assertEquals(2, watch.bestScore());
    }

    @Test
    void aPlateauCutsTheRateAndTheCutRateGetsAPlateauOfItsOwn() {
        HeldOutWatch watch = new HeldOutWatch(2, 0);
        // best 2.0 at score 2; scores 3 and 4 do not improve: cut at 4; 5 does not, 6 does not: cut at 6;
        // 7 improves and restarts the count
        assertEquals(List.of("i", "i", "-", "l", "-", "l", "i", "-", "l"),
                decisions(watch, 3.0, 2.0, 2.1, 2.05, 2.3, 2.2, 1.9, 1.95, 1.92));
    }

    @Test
    void patienceStopsAfterThatManyScoresWithoutImprovement() {
        HeldOutWatch watch = new HeldOutWatch(0, 3);
        assertEquals(List.of("i", "-", "-", "s"), decisions(watch, 2.0, 2.1, 2.0, 2.2));
        HeldOutWatch both = new HeldOutWatch(1, 2);
        assertEquals(List.of("i", "l", "ls"), decisions(both, 2.0, 2.1, 2.2));
    }

    @Test
    void changesBelowTheRelativeThresholdAreNotImprovements() {
        HeldOutWatch watch = new HeldOutWatch(0, 0);
        assertEquals(List.of("i", "-", "i"), decisions(watch, 2.0, 2.0 * (1 - HeldOutWatch.THRESHOLD / 2),
                2.0 * (1 - 2 * HeldOutWatch.THRESHOLD)));
        assertEquals(3, watch.bestScore());
        assertTrue(Double.isInfinite(new HeldOutWatch(0, 0).best()));
        assertFalse(new HeldOutWatch(0, 0).score(Double.NaN).improved(), "NaN is never a best");
    }

    @Test
    void negativeCountsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new HeldOutWatch(-1, 0));
        assertThrows(IllegalArgumentException.class, () -> new HeldOutWatch(0, -1));
    }
}
