package org.rnnlab.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The three ways of choosing the next character, against distributions worked out by hand. */
class SamplingTest {

    @Test
    void drawFollowsTheTemperedProbabilitiesWhateverTheScoresOffset() {
        double[] p = {0.5, 0.3, 0.2};
        double[] scores = new double[3];
        double[] weights = new double[3];
        for (int i = 0; i < 3; i++) {
            scores[i] = Math.log(p[i]) + 7; // logits: log p plus any constant
        }
        // T = 1: the cumulative probabilities 0.5, 0.8, 1 split [0, 1)
        double[] u = {0.0, 0.49, 0.51, 0.79, 0.81, 0.999};
        int[] expected = {0, 0, 1, 1, 2, 2};
        Random random = fixed(u);
        for (int k = 0; k < u.length; k++) {
            assertEquals(expected[k], Sampling.withTemperature(1.0).choose(scores, weights, random), "T = 1, u = " + u[k]);
        }
        // T = 2: p_i^(1/2) normalised, 0.4155, 0.3218, 0.2627: cumulative 0.4155, 0.7373
        double root = Math.sqrt(0.5) + Math.sqrt(0.3) + Math.sqrt(0.2);
        assertEquals(0.4155, Math.sqrt(0.5) / root, 1e-4);
        assertEquals(0.7373, (Math.sqrt(0.5) + Math.sqrt(0.3)) / root, 1e-4);
        double[] warm = {0.41, 0.42, 0.73, 0.74};
        int[] warmExpected = {0, 1, 1, 2};
        random = fixed(warm);
        for (int k = 0; k < warm.length; k++) {
            assertEquals(warmExpected[k], Sampling.withTemperature(2.0).choose(scores, weights, random), "T = 2, u = " + warm[k]);
        }
        // T -> 0: the likeliest, wherever u falls; before the shift by the largest score every weight
        // underflowed to 0 here and index 0 came out
        double[] middle = {Math.log(0.3), Math.log(0.5), Math.log(0.2)};
        for (double temperature : new double[] {1e-4, 1e-3, 1e-2}) {
            random = fixed(1e-9, 0.3, 0.6, 0.999999);
            for (int k = 0; k < 4; k++) {
                assertEquals(1, Sampling.withTemperature(temperature).choose(middle, weights, random), "T = " + temperature);
            }
        }
        // T = 100: nearly uniform
        random = fixed(0.34, 0.66);
        assertEquals(1, Sampling.withTemperature(100).choose(scores, weights, random));
        assertEquals(1, Sampling.withTemperature(100).choose(scores, weights, random));
    }

    @Test
    void topKDrawsOnlyAmongTheKLikeliestRenormalised() {
        // p = 0.1, 0.4, 0.2, 0.3: the top 2 are indices 1 and 3, renormalised to 0.4/0.7 and 0.3/0.7
        double[] scores = {Math.log(0.1), Math.log(0.4), Math.log(0.2), Math.log(0.3)};
        double[] weights = new double[4];
        Sampling top2 = new Sampling(1, 2, false);
        double[] u = {0.0, 0.5, 0.57, 0.58, 0.999};
        int[] expected = {1, 1, 1, 3, 3}; // cumulative 4/7 = 0.5714 after index 1
        Random random = fixed(u);
        for (int k = 0; k < u.length; k++) {
            assertEquals(expected[k], top2.choose(scores, weights, random), "u = " + u[k]);
        }
        assertEquals(0, weights[0]);
        assertEquals(0, weights[2]);
        // top-1 is greedy whatever u is; top-k with k >= size is plain sampling
        Sampling top1 = new Sampling(1, 1, false);
        random = fixed(0.0, 0.999);
        assertEquals(1, top1.choose(scores, weights, random));
        assertEquals(1, top1.choose(scores, weights, random));
        Sampling all = new Sampling(1, 10, false);
        random = fixed(0.05, 0.95);
        assertEquals(0, all.choose(scores, weights, random));
        assertEquals(3, all.choose(scores, weights, random));
    }

    @Test
    void topKWithTheTemperatureSharpensTheKeptOnesOnly() {
        // top 2 of p = 0.1, 0.4, 0.2, 0.3 at T = 0.5: 0.4^2 = 0.16 and 0.3^2 = 0.09, so index 1 with 0.64
        double[] scores = {Math.log(0.1), Math.log(0.4), Math.log(0.2), Math.log(0.3)};
        double[] weights = new double[4];
        Random random = fixed(0.63, 0.65);
        Sampling sharp = new Sampling(0.5, 2, false);
        assertEquals(1, sharp.choose(scores, weights, random));
        assertEquals(3, sharp.choose(scores, weights, random));
    }

    @Test
    void tiesAtTheCutKeepTheFirstIndicesUpToK() {
        double[] scores = {0, 1, 1, 1};
        double[] weights = new double[4];
        Sampling top2 = new Sampling(1, 2, false);
        top2.choose(scores, weights, fixed(0.5));
        assertEquals(0, weights[0]);
        assertEquals(1, weights[1], 1e-12);
        assertEquals(1, weights[2], 1e-12);
        assertEquals(0, weights[3]);
    }

    @Test
    void greedyTakesTheLikeliestAndDrawsNothing() {
        double[] scores = {0.2, 3.0, -1, 3.0};
        Random noDraws = new Random() {
            @Override
            public double nextDouble() {
                throw new AssertionError("greedy made a draw");
            }
        };
        assertEquals(1, Sampling.greedily().choose(scores, new double[4], noDraws), "the lower index among equals");
        assertEquals("greedy", Sampling.greedily().describe());
        assertEquals("top-5 at temperature 0.8", new Sampling(0.8, 5, false).describe());
        assertEquals("temperature 1", Sampling.withTemperature(1).describe());
    }

    @Test
    void badSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Sampling(0, 0, false));
        assertThrows(IllegalArgumentException.class, () -> new Sampling(Double.NaN, 0, false));
        assertThrows(IllegalArgumentException.class, () -> new Sampling(1, -1, false));
    }

    /** A Random whose nextDouble() gives the values asked for, in turn. */
    private static Random fixed(double... values) {
        return new Random() {
            private int next;

            @Override
            public double nextDouble() {
                return values[next++];
            }
        };
    }
}
