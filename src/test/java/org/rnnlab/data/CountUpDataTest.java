package org.rnnlab.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class CountUpDataTest {

    @Test
    void eachStartCountsOnByOneWithTheNextIntegerAsTarget() {
        SequenceSet set = CountUpData.generate(new CountUpData.Recipe(0, 100, 5));
        assertEquals(100, set.size());
        assertArrayEquals(new double[] {0, 1, 2, 3, 4}, set.features().get(0));
        assertArrayEquals(new double[] {1, 2, 3, 4, 5}, set.labels().get(0));
        // The seed's last pair: 99 -> 100..104, seen here as 99..103 -> 100..104.
        assertArrayEquals(new double[] {99, 100, 101, 102, 103}, set.features().get(99));
        assertArrayEquals(new double[] {100, 101, 102, 103, 104}, set.labels().get(99));
        for (int i = 0; i < set.size(); i++) {
            for (int t = 0; t < 5; t++) {
                assertEquals(set.features().get(i)[t] + 1, set.labels().get(i)[t], 0.0, "sequence " + i + " step " + t);
            }
        }
    }

    @Test
    void theRecipeAloneFixesTheData() {
        SequenceSet a = CountUpData.generate(new CountUpData.Recipe(3, 10, 4));
        SequenceSet b = CountUpData.generate(new CountUpData.Recipe(3, 10, 4));
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.features().get(i), b.features().get(i));
            assertArrayEquals(a.labels().get(i), b.labels().get(i));
        }
        assertArrayEquals(new double[] {3, 4, 5, 6}, a.features().get(0));
        assertArrayEquals(new double[] {13, 14, 15, 16}, a.labels().get(9));
    }
}
