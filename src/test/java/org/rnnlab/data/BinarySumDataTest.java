package org.rnnlab.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.rnnlab.data.BinarySumData.Recipe;
import org.rnnlab.data.BinarySumData.Splits;
import org.rnnlab.data.BinarySumData.Target;

class BinarySumDataTest {

    /** Seed 000's recipe: 600 sequences of 7 bits, a third held out. */
    private static Recipe recipe(long seed, Target target) {
        return new Recipe(seed, 600, 7, target, 0.33);
    }

    @Test
    void sameSeedGivesIdenticalSplits() {
        Splits a = BinarySumData.generate(recipe(42, Target.SUM));
        Splits b = BinarySumData.generate(recipe(42, Target.SUM));
        assertSameRows(a.train().features(), b.train().features());
        assertSameRows(a.train().labels(), b.train().labels());
        assertSameRows(a.validation().features(), b.validation().features());
        assertSameRows(a.validation().labels(), b.validation().labels());
    }

    @Test
    void differentSeedsGiveDifferentBits() {
        Splits a = BinarySumData.generate(recipe(1, Target.SUM));
        Splits b = BinarySumData.generate(recipe(2, Target.SUM));
        assertFalse(sameRows(a.train().features(), b.train().features()), "seeds 1 and 2 drew the same bits");
    }

    @Test
    void byPatternNoValidationSequenceIsInTrainingAndEverySumIsTrainedOn() {
        for (Target target : Target.values()) {
            Recipe recipe = new Recipe(11, 600, 7, target, 0.33, BinarySumData.Split.PATTERNS);
            Splits splits = BinarySumData.generate(recipe);
            assertEquals(402, splits.train().size());
            assertEquals(0, BinarySumData.alsoIn(splits.validation().features(), splits.train().features()));
            assertEquals(splits.validation().size(), BinarySumData.distinctPatterns(splits.validation().features()),
                    "each held-out pattern once");
            assertEquals(42, splits.validation().size(), target + ": round(0.33 x count) of each label's patterns");
            java.util.Set<Double> trainedLabels = new java.util.TreeSet<>();
            splits.train().labels().forEach(l -> trainedLabels.add(l[0]));
            java.util.Set<Double> heldLabels = new java.util.TreeSet<>();
            splits.validation().labels().forEach(l -> heldLabels.add(l[0]));
            assertTrue(trainedLabels.containsAll(heldLabels), "every held-out label is also trained on: " + heldLabels);
        }
        Recipe sums = new Recipe(11, 600, 7, Target.SUM, 0.33, BinarySumData.Split.PATTERNS);
        Splits splits = BinarySumData.generate(sums);
        assertTrue(splits.validation().labels().stream().noneMatch(l -> l[0] == 0 || l[0] == 7),
                "all zeros and all ones are one pattern each: they stay in training");
        assertSameRows(splits.validation().features(), BinarySumData.generate(sums).validation().features());
    }

    @Test
    void theSeedsDrawsRepeatPatternsAcrossTheSplit() {
        Splits splits = BinarySumData.generate(recipe(42, Target.SUM));
        assertTrue(BinarySumData.alsoIn(splits.validation().features(), splits.train().features()) > 150,
                "128 patterns, 600 draws: most held-out rows were drawn for training too");
    }

    @Test
    void defaultRecipeSplits402To198() {
        // scikit-learn's train_test_split(test_size=0.33) on 600 rows: ceil(0.33 * 600) = 198 held out.
        Recipe recipe = recipe(7, Target.SUM);
        assertEquals(198, recipe.validationCount());
        Splits splits = BinarySumData.generate(recipe);
        assertEquals(402, splits.train().size());
        assertEquals(198, splits.validation().size());
        assertEquals(402, splits.train().labels().size());
        assertEquals(198, splits.validation().labels().size());
    }

    @Test
    void everyFeatureIsABitAndEverySequenceHasTheRequestedLength() {
        Splits splits = BinarySumData.generate(recipe(3, Target.SUM));
        int ones = 0;
        int cells = 0;
        for (List<double[]> rows : List.of(splits.train().features(), splits.validation().features())) {
            for (double[] row : rows) {
                assertEquals(7, row.length);
                for (double bit : row) {
                    assertTrue(bit == 0 || bit == 1, "not a bit: " + bit);
                    ones += (int) bit;
                    cells++;
                }
            }
        }
        // Both values actually occur (a generator stuck at one value would pass the check above).
        assertTrue(ones > cells / 4 && ones < 3 * cells / 4, ones + " ones in " + cells + " bits");
    }

    @Test
    void sumLabelIsTheNumberOfOnes() {
        Splits splits = BinarySumData.generate(recipe(5, Target.SUM));
        for (SequenceSet set : List.of(splits.train(), splits.validation())) {
            for (int i = 0; i < set.size(); i++) {
                double[] bits = set.features().get(i);
                double sum = 0;
                for (double bit : bits) {
                    sum += bit;
                }
                assertArrayEquals(new double[] {sum}, set.labels().get(i), "sequence " + i);
            }
        }
    }

    @Test
    void lastLabelIsTheLastBit() {
        Splits splits = BinarySumData.generate(recipe(5, Target.LAST));
        for (SequenceSet set : List.of(splits.train(), splits.validation())) {
            for (int i = 0; i < set.size(); i++) {
                double[] bits = set.features().get(i);
                assertArrayEquals(new double[] {bits[bits.length - 1]}, set.labels().get(i), "sequence " + i);
            }
        }
    }

    @Test
    void targetChangesOnlyTheLabels() {
        // The same seed draws the same bits whatever is predicted from them.
        Splits sum = BinarySumData.generate(recipe(9, Target.SUM));
        Splits last = BinarySumData.generate(recipe(9, Target.LAST));
        assertSameRows(sum.train().features(), last.train().features());
        assertSameRows(sum.validation().features(), last.validation().features());
    }

    private static boolean sameRows(List<double[]> a, List<double[]> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!java.util.Arrays.equals(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    private static void assertSameRows(List<double[]> expected, List<double[]> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), actual.get(i), "row " + i);
        }
    }
}
