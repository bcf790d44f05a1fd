package org.rnnlab.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.rnnlab.data.SineWaveData.Recipe;
import org.rnnlab.data.SineWaveData.Splits;

class SineWaveDataTest {
    private static final int STEPS = 10;

    private static Recipe recipe(long seed, double noise) {
        return new Recipe(seed, 100, STEPS, noise, 0.2);
    }

    @Test
    void holdsOutAFifth() {
        Splits splits = SineWaveData.generate(recipe(42, 0.008));
        assertEquals(80, splits.train().size());
        assertEquals(20, splits.validation().size());
        assertEquals(20, splits.validationIndices().length);
        // Held-out indices are distinct sequence numbers 0..99, in increasing order.
        int previous = -1;
        for (int n : splits.validationIndices()) {
            assertTrue(n > previous && n < 100, "index " + n + " after " + previous);
            previous = n;
        }
    }

    @Test
    void everySequenceHasStepsValues() {
        Splits splits = SineWaveData.generate(recipe(42, 0.008));
        for (SequenceSet set : List.of(splits.train(), splits.validation())) {
            for (int i = 0; i < set.size(); i++) {
                assertEquals(STEPS, set.features().get(i).length);
                assertEquals(STEPS, set.labels().get(i).length);
            }
        }
    }

    @Test
    void labelsAreTheFeaturesShiftedByOne() {
        // Many-to-many: the label at step t is the input at step t + 1 (noise included).
        Splits splits = SineWaveData.generate(recipe(11, 0.008));
        for (SequenceSet set : List.of(splits.train(), splits.validation())) {
            for (int i = 0; i < set.size(); i++) {
                double[] x = set.features().get(i);
                double[] y = set.labels().get(i);
                for (int t = 0; t < STEPS - 1; t++) {
                    assertEquals(x[t + 1], y[t], 0.0, "sequence " + i + " step " + t);
                }
            }
        }
    }

    @Test
    void withoutNoiseHeldOutValuesAreTheSineAtTheirIndex() {
        Splits splits = SineWaveData.generate(recipe(3, 0.0));
        int[] held = splits.validationIndices();
        for (int k = 0; k < held.length; k++) {
            int n = held[k];
            double[] x = splits.validation().features().get(k);
            double[] y = splits.validation().labels().get(k);
            for (int i = 0; i < STEPS; i++) {
                assertEquals(Math.sin(Math.PI * (n + (double) i / STEPS)), x[i], 1e-12, "n " + n + " step " + i);
                // The last label is the 11th point, which no input shows.
                assertEquals(Math.sin(Math.PI * (n + (double) (i + 1) / STEPS)), y[i], 1e-12, "n " + n + " label " + i);
            }
        }
    }

    @Test
    void withoutNoiseTrainingHoldsTheOtherIndicesInOrder() {
        Splits splits = SineWaveData.generate(recipe(3, 0.0));
        Set<Integer> held = new HashSet<>();
        Arrays.stream(splits.validationIndices()).forEach(held::add);
        int k = 0;
        for (int n = 0; n < 100; n++) {
            if (!held.contains(n)) {
                assertEquals(Math.sin(Math.PI * (n + 0.5)), splits.train().features().get(k)[5], 1e-12, "n " + n);
                k++;
            }
        }
        assertEquals(80, k);
    }

    @Test
    void sameSeedSameOutput() {
        Splits a = SineWaveData.generate(recipe(42, 0.008));
        Splits b = SineWaveData.generate(recipe(42, 0.008));
        assertArrayEquals(a.validationIndices(), b.validationIndices());
        for (int i = 0; i < a.train().size(); i++) {
            assertArrayEquals(a.train().features().get(i), b.train().features().get(i));
            assertArrayEquals(a.train().labels().get(i), b.train().labels().get(i));
        }
        for (int i = 0; i < a.validation().size(); i++) {
            assertArrayEquals(a.validation().features().get(i), b.validation().features().get(i));
            assertArrayEquals(a.validation().labels().get(i), b.validation().labels().get(i));
        }
    }

    @Test
    void differentSeedsDiffer() {
        Splits a = SineWaveData.generate(recipe(1, 0.008));
        Splits b = SineWaveData.generate(recipe(2, 0.008));
        boolean noiseDiffers = !Arrays.equals(a.train().features().get(0), b.train().features().get(0))
                || !Arrays.equals(a.validation().features().get(0), b.validation().features().get(0));
        assertTrue(noiseDiffers);
        assertFalse(Arrays.equals(a.validationIndices(), b.validationIndices()));
    }
}
