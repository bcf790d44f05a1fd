package org.rnnlab.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.rnnlab.data.IncreasingSumData.Recipe;
import org.rnnlab.data.IncreasingSumData.Split;
import org.rnnlab.data.IncreasingSumData.Splits;

class IncreasingSumDataTest {

    /** The task's recipe: 8000 sequences of 2 to 8 points, sizes 0.5..30, steps of 0.25..1.5 sizes, a fifth held out. */
    private static Recipe recipe(long seed) {
        return new Recipe(seed, 8000, 2, 8, 0.5, 30, 0.25, 1.5, 1.0 / 3, 0.3, 6, 0.2);
    }

    @Test
    void theRuleIsAStrictRiseOfTheSumAtEveryStep() {
        // The seed's six training sequences with its labels, and its three test sequences.
        assertTrue(IncreasingSumData.increasing(new double[][] {{1, 3}, {4, 2}, {5, 7}, {-2, 15}}));
        assertFalse(IncreasingSumData.increasing(new double[][] {{4, 2}, {1, 3}}));
        assertFalse(IncreasingSumData.increasing(new double[][] {{5, 7}, {2, 4}, {7, 7}}));
        assertTrue(IncreasingSumData.increasing(new double[][] {{-1, 0}, {2, 1}}));
        assertFalse(IncreasingSumData.increasing(new double[][] {{0, -1}, {1, 2}, {2, 0}}));
        assertTrue(IncreasingSumData.increasing(new double[][] {{-10, 11}, {2, 0}, {1.5, 1}, {11, -7}, {-4, 10}}));
        assertFalse(IncreasingSumData.increasing(new double[][] {{2, 5}, {-30, -1}}));
        // Equal sums (1, 1, 1, 1) do not rise.
        assertFalse(IncreasingSumData.increasing(new double[][] {{1, 0}, {0, 1}, {1, 0}, {0, 1}}));
        assertTrue(IncreasingSumData.increasing(new double[][] {{0, 0}, {1, 2}, {7, 30}}));
    }

    @Test
    void eachSplitIsExactlyHalfRising() {
        Splits splits = IncreasingSumData.generate(recipe(42));
        assertEquals(6400, splits.train().size());
        assertEquals(1600, splits.test().size());
        assertEquals(3200, positives(splits.train()));
        assertEquals(800, positives(splits.test()));
    }

    @Test
    void labelsFollowTheRuleAndTheClassesAreShuffled() {
        Split train = IncreasingSumData.generate(recipe(7)).train();
        int changes = 0;
        for (int i = 0; i < train.size(); i++) {
            double label = train.labels().get(i)[0];
            assertEquals(IncreasingSumData.increasing(train.points().get(i)) ? 1.0 : 0.0, label, "sequence " + i);
            changes += i > 0 && label != train.labels().get(i - 1)[0] ? 1 : 0;
        }
        // Not the first half rising and the second not: about half the neighbours differ.
        assertTrue(changes > train.size() / 3, changes + " label changes");
    }

    @Test
    void sequencesOfEverySizeRiseOrTieOrFallInWholeHundredths() {
        Split train = IncreasingSumData.generate(recipe(3)).train();
        int[] lengths = new int[9];
        int singleFailures = 0;
        int ties = 0;
        int fractional = 0;
        int negativeStarts = 0;
        double smallestSize = Double.POSITIVE_INFINITY;
        double largestSize = 0;
        double smallestRelativeRise = Double.POSITIVE_INFINITY;
        for (int i = 0; i < train.size(); i++) {
            double[][] points = train.points().get(i);
            lengths[points.length]++;
            int failures = 0;
            double size = 0;
            for (int t = 0; t < points.length; t++) {
                assertEquals(2, points[t].length);
                for (double value : points[t]) {
                    assertEquals(Math.rint(value * 100), value * 100, 1e-6, "whole hundredths: " + value);
                    fractional += value != Math.rint(value) ? 1 : 0;
                    size = Math.max(size, Math.abs(value));
                }
                if (t > 0) {
                    long change = Math.round(100 * (points[t][0] + points[t][1]))
                            - Math.round(100 * (points[t - 1][0] + points[t - 1][1]));
                    failures += change <= 0 ? 1 : 0;
                    ties += change == 0 ? 1 : 0;
                    if (change > 0) {
                        smallestRelativeRise = Math.min(smallestRelativeRise, change / 100.0 / size);
                    }
                }
            }
            negativeStarts += points[0][0] + points[0][1] < 0 ? 1 : 0;
            smallestSize = Math.min(smallestSize, size);
            largestSize = Math.max(largestSize, size);
            assertEquals(failures == 0 ? 1.0 : 0.0, train.labels().get(i)[0], "sequence " + i);
            singleFailures += failures == 1 ? 1 : 0;
        }
        for (int length = 2; length <= 8; length++) {
            assertTrue(lengths[length] > 6400 / 7 / 2, "length " + length + ": " + lengths[length]);
        }
        assertEquals(6400, java.util.Arrays.stream(lengths).sum(), "no length outside 2..8");
        // Hard negatives exist: some fail at one step only, some by staying level.
        assertTrue(singleFailures > 400, singleFailures + " single failures");
        assertTrue(ties > 1000, ties + " ties");
        assertTrue(largestSize / smallestSize > 100, "sizes from " + smallestSize + " to " + largestSize);
        assertTrue(fractional > 10_000 && negativeStarts > 1000, fractional + " fractional, " + negativeStarts
                + " negative first sums");
        assertTrue(smallestRelativeRise < 0.05, "small rises among large coordinates too: " + smallestRelativeRise);
    }

    @Test
    void sumsThatDifferByRoundingAloneAreEqual() {
        assertFalse(IncreasingSumData.increasing(new double[][] {{0.1, 0.2}, {0.3, 0}}), "0.1 + 0.2 is 0.3");
        assertTrue(IncreasingSumData.increasing(new double[][] {{0.1, 0.2}, {0.3, 0.01}}));
    }

    @Test
    void theSameSeedGivesTheSameSequencesAndAnotherSeedOthers() {
        Splits a = IncreasingSumData.generate(recipe(42));
        Splits b = IncreasingSumData.generate(recipe(42));
        Splits c = IncreasingSumData.generate(recipe(43));
        assertSame(a.train(), b.train());
        assertSame(a.test(), b.test());
        assertFalse(java.util.Arrays.deepEquals(a.test().points().get(0), c.test().points().get(0))
                && java.util.Arrays.deepEquals(a.test().points().get(1), c.test().points().get(1)));
    }

    @Test
    void byCoordinateIsTheLayoutOfMultiSequenceCsv() {
        List<double[][]> points = List.<double[][]>of(new double[][] {{1, 2}, {3, 4}, {5, 6}});
        List<double[]> labels = List.of(new double[] {1});
        Split split = new Split(points, labels);
        assertArrayEquals(new double[][] {{1, 3, 5}, {2, 4, 6}}, split.byCoordinate().get(0));
    }

    @Test
    void sequencesShorterThanTwoPointsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> IncreasingSumData.generate(
                new Recipe(1, 10, 1, 8, 0.5, 30, 0.25, 1.5, 0.3, 0.3, 6, 0.2)));
        assertThrows(IllegalArgumentException.class, () -> IncreasingSumData.generate(
                new Recipe(1, 10, 5, 4, 0.5, 30, 0.25, 1.5, 0.3, 0.3, 6, 0.2)));
        assertThrows(IllegalArgumentException.class, () -> IncreasingSumData.generate(
                new Recipe(1, 10, 2, 8, 0.5, 30, 0, 1.5, 0.3, 0.3, 6, 0.2)));
    }

    private static int positives(Split split) {
        return (int) split.labels().stream().filter(l -> l[0] == 1).count();
    }

    private static void assertSame(Split expected, Split actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.points().get(i), actual.points().get(i), "sequence " + i);
            assertArrayEquals(expected.labels().get(i), actual.labels().get(i), "label " + i);
        }
    }
}
